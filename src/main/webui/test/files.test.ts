import { describe, expect, it } from "vitest";
import { filesFromDrop, isJunk, isPromptFile } from "../src/lib/files";

/*
 * A dropped folder reaches the page as DataTransfer items whose webkitGetAsEntry() is a directory
 * entry. Chromium gives those only to drops from the operating system, so the walk is tested here
 * over entries shaped like the browser's (FileSystemFileEntry / FileSystemDirectoryEntry), with a
 * directory reader that hands out its children in batches as Chromium's does (at most 100 a call).
 */
function fileEntry(fullPath: string, body = "x"): FileSystemFileEntry {
  const file = new File([body], fullPath.split("/").pop()!);
  return { isFile: true, isDirectory: false, name: file.name, fullPath, file: (ok: (f: File) => void) => ok(file) } as unknown as FileSystemFileEntry;
}

function dirEntry(fullPath: string, children: FileSystemEntry[], batch = 100): FileSystemDirectoryEntry {
  return {
    isFile: false,
    isDirectory: true,
    name: fullPath.split("/").pop()!,
    fullPath,
    createReader: () => {
      let next = 0;
      return {
        readEntries: (ok: (entries: FileSystemEntry[]) => void) => {
          const part = children.slice(next, next + batch);
          next += part.length;
          setTimeout(() => ok(part), 0);
        },
      };
    },
  } as unknown as FileSystemDirectoryEntry;
}

function drop(entries: (FileSystemEntry | null)[], files: File[] = []): DataTransfer {
  return {
    items: entries.map((e) => ({ kind: "file", webkitGetAsEntry: () => e })),
    files,
  } as unknown as DataTransfer;
}

describe("filesFromDrop", () => {
  it("walks a dropped folder and its subfolders, keeping the paths inside it", async () => {
    const folder = dirEntry("/00", [
      fileEntry("/00/prompt.json", "{}"),
      dirEntry("/00/images", [fileEntry("/00/images/cypress_tree.png"), fileEntry("/00/images/wallet_.png")]),
      fileEntry("/00/.DS_Store"),
    ]);
    const picked = await filesFromDrop(drop([folder]));
    expect(picked.map((p) => p.path)).toEqual(["00/prompt.json", "00/images/cypress_tree.png", "00/images/wallet_.png", "00/.DS_Store"]);
    expect(await picked[0].file.text()).toBe("{}");
    expect(picked.filter((p) => !isJunk(p.path)).map((p) => p.path)).not.toContain("00/.DS_Store");
    expect(picked.filter((p) => isPromptFile(p.path))).toHaveLength(1);
  });

  it("reads a large folder to the end, batch after batch", async () => {
    const children = Array.from({ length: 250 }, (_, i) => fileEntry(`/big/img_${i}.png`));
    const picked = await filesFromDrop(drop([dirEntry("/big", children, 100)]));
    expect(picked).toHaveLength(250);
    expect(picked[249].path).toBe("big/img_249.png");
  });

  it("takes loose files and folders dropped together", async () => {
    const picked = await filesFromDrop(drop([fileEntry("/prompt.json"), dirEntry("/imgs", [fileEntry("/imgs/a.png")])]));
    expect(picked.map((p) => p.path)).toEqual(["prompt.json", "imgs/a.png"]);
  });

  it("falls back to the plain file list when the browser gives no entries", async () => {
    const files = [new File(["a"], "a.png"), new File(["b"], "prompt.json")];
    const picked = await filesFromDrop(drop([null, null], files));
    expect(picked.map((p) => p.path)).toEqual(["a.png", "prompt.json"]);
  });
});
