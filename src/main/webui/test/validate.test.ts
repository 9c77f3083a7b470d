import { describe, expect, it } from "vitest";
import { checkPromptJson, imageProblems, setProblems, sniffImageType } from "../src/lib/validate";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const WEBP = new Uint8Array([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50]);
const TEXT = new TextEncoder().encode("hello, I am not a picture");

describe("sniffImageType", () => {
  it("reads the magic bytes", () => {
    expect(sniffImageType(PNG)).toBe("png");
    expect(sniffImageType(JPEG)).toBe("jpeg");
    expect(sniffImageType(WEBP)).toBe("webp");
    expect(sniffImageType(TEXT)).toBe("unknown");
    expect(sniffImageType(new Uint8Array())).toBe("unknown");
  });
});

describe("imageProblems", () => {
  it("passes a small PNG", () => {
    expect(imageProblems("boat.png", 1000, PNG)).toEqual([]);
  });
  it("judges by content, not by name", () => {
    expect(imageProblems("boat.png", 1000, TEXT)).toEqual(["is not a PNG or JPEG image (checked by its content)"]);
    expect(imageProblems("boat.txt", 1000, JPEG)).toEqual([]);
  });
  it("rejects files over 20 MB", () => {
    const p = imageProblems("big.png", 21 * 1024 * 1024, PNG);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/21\.0 MB, over the 20 MB limit/);
  });
  it("allows exactly 20 MB", () => {
    expect(imageProblems("edge.png", 20 * 1024 * 1024, PNG)).toEqual([]);
  });
  it("rejects empty files, WebP and empty object names", () => {
    expect(imageProblems("a.png", 0, new Uint8Array())).toContain("the file is empty");
    expect(imageProblems("a.webp", 10, WEBP)[0]).toMatch(/WebP/);
    expect(imageProblems("123.png", 10, PNG)[0]).toMatch(/object name "" is empty/);
  });
});

describe("checkPromptJson", () => {
  it("reads the challenge form in numeric key order", () => {
    const r = checkPromptJson('{"1": "Bread", "0": "Dolphin", "10": "Flower", "2": "Kangaroo"}');
    expect(r.problems).toEqual([]);
    expect(r.prompts).toEqual(["Dolphin", "Bread", "Kangaroo", "Flower"]);
  });
  it("reads an array of strings", () => {
    expect(checkPromptJson('["Moon", "Ice cream"]')).toEqual({ prompts: ["Moon", "Ice cream"], problems: [] });
  });
  it("names the bad entry", () => {
    expect(checkPromptJson('{"0": "Moon", "1": 5}').problems).toEqual(['prompt "1" is not a string']);
    expect(checkPromptJson('["Moon", "moon"]').problems).toEqual(['prompt [1] "moon" appears twice']);
    expect(checkPromptJson('["a/b"]').problems[0]).toMatch(/^prompt \[0\] contains the character/);
    expect(checkPromptJson('{"first": "Moon"}').problems[0]).toMatch(/key "first" is not a number/);
  });
  it("rejects what is not a prompt list", () => {
    expect(checkPromptJson("{oops").problems[0]).toMatch(/not valid JSON/);
    expect(checkPromptJson('"Moon"').problems[0]).toMatch(/must be an object/);
    expect(checkPromptJson("[]").problems).toEqual(["has no prompts"]);
    expect(checkPromptJson("[]", 300 * 1024).problems[0]).toMatch(/over the 256 KB limit/);
  });
});

describe("setProblems", () => {
  it("wants 1 to 50 images with distinct object names", () => {
    expect(setProblems([])).toEqual(["add at least one image"]);
    expect(setProblems(["a.png", "b.png"])).toEqual([]);
    expect(setProblems(Array.from({ length: 51 }, (_, i) => `x${"a".repeat(i + 1)}.png`))[0]).toMatch(/at most 50/);
    expect(setProblems(["dog.png", "dog_2.jpg"])).toEqual(['dog.png, dog_2.jpg all name the object "dog"']);
  });
});
