/** A file picked or dropped, with the path it had inside a dropped folder. */
export interface PickedFile {
  path: string;
  file: File;
}

/** Every file in a drop, walking dropped folders (DataTransfer items + webkitGetAsEntry). */
export async function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const items = Array.from(dt.items ?? []).filter((i) => i.kind === "file");
  const entries = items.map((i) => (typeof i.webkitGetAsEntry === "function" ? i.webkitGetAsEntry() : null));
  if (entries.length > 0 && entries.every((e) => e !== null)) {
    const out: PickedFile[] = [];
    for (const entry of entries) await walk(entry as FileSystemEntry, out);
    return out;
  }
  return Array.from(dt.files ?? []).map((file) => ({ path: file.name, file }));
}

/** Files from an <input type=file> (with webkitdirectory the relative path is kept). */
export function filesFromInput(input: HTMLInputElement): PickedFile[] {
  return Array.from(input.files ?? []).map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

async function walk(entry: FileSystemEntry, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: entry.fullPath.replace(/^\//, ""), file });
    return;
  }
  if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns at most ~100 entries per call: read until it returns none
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, out);
    }
  }
}

/** Hidden files and OS droppings that are never part of a style set. */
export function isJunk(path: string): boolean {
  const base = path.split("/").pop() ?? path;
  return base.startsWith(".") || base === "Thumbs.db" || base === "desktop.ini" || path.includes("__MACOSX/");
}

export function isPromptFile(path: string): boolean {
  return /\.json$/i.test(path);
}
