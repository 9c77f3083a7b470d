import { fileNameProblem, objectNameFromFile } from "./names";
import { megabytes } from "./format";

export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
export const MAX_IMAGES = 50;
export const MAX_PROMPT_JSON_BYTES = 256 * 1024;

export type ImageKind = "png" | "jpeg" | "webp" | "gif" | "unknown";

/** The image type told by the first bytes of the file, never by its name. */
export function sniffImageType(head: Uint8Array): ImageKind {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (at(0, 0xff, 0xd8, 0xff)) return "jpeg";
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return "webp";
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return "gif";
  return "unknown";
}

/** Problems with one image file, given its name, size and first 16 bytes. Empty when it is fine. */
export function imageProblems(name: string, size: number, head: Uint8Array): string[] {
  const problems: string[] = [];
  const kind = sniffImageType(head);
  if (size === 0) problems.push("the file is empty");
  else if (kind === "webp") problems.push("WebP images are not accepted; use PNG or JPEG");
  else if (kind !== "png" && kind !== "jpeg") problems.push("is not a PNG or JPEG image (checked by its content)");
  if (size > MAX_IMAGE_BYTES) problems.push(`is ${megabytes(size)}, over the 20 MB limit`);
  const object = objectNameFromFile(name);
  const nameProblem = fileNameProblem(object);
  if (nameProblem) problems.push(`its object name "${object}" ${nameProblem}`);
  return problems;
}

export interface PromptCheck {
  prompts: string[];
  problems: string[];
}

/**
 * Checks the prompt list: the challenge's form {"0": "Dolphin", ...} or a JSON array of strings.
 * Every prompt must be a non-empty string that can be a file name, with no duplicates.
 */
export function checkPromptJson(text: string, size = text.length): PromptCheck {
  if (size > MAX_PROMPT_JSON_BYTES) {
    return { prompts: [], problems: [`is ${Math.round(size / 1024)} KB, over the 256 KB limit for a prompt list`] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { prompts: [], problems: [`is not valid JSON (${(e as Error).message})`] };
  }
  let entries: [string, unknown][];
  if (Array.isArray(parsed)) {
    entries = parsed.map((v, i) => [`[${i}]`, v]);
  } else if (parsed !== null && typeof parsed === "object") {
    entries = Object.entries(parsed as Record<string, unknown>)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([k, v]) => [`"${k}"`, v]);
    const notIndex = Object.keys(parsed as object).find((k) => !/^\d+$/.test(k));
    if (notIndex !== undefined) {
      return { prompts: [], problems: [`key "${notIndex}" is not a number; expected {"0": "Dolphin", ...} or ["Dolphin", ...]`] };
    }
  } else {
    return { prompts: [], problems: ['must be an object like {"0": "Dolphin"} or an array of strings'] };
  }
  const problems: string[] = [];
  const prompts: string[] = [];
  const seen = new Set<string>();
  if (entries.length === 0) problems.push("has no prompts");
  for (const [key, value] of entries) {
    if (typeof value !== "string") {
      problems.push(`prompt ${key} is not a string`);
      continue;
    }
    const p = value.trim();
    const bad = fileNameProblem(p);
    if (bad) problems.push(`prompt ${key} ${bad}`);
    else if (seen.has(p.toLowerCase())) problems.push(`prompt ${key} "${p}" appears twice`);
    seen.add(p.toLowerCase());
    prompts.push(p);
  }
  return { prompts, problems };
}

/** Problems across the set: image count and object names that collide. */
export function setProblems(imageNames: string[]): string[] {
  const problems: string[] = [];
  if (imageNames.length === 0) problems.push("add at least one image");
  if (imageNames.length > MAX_IMAGES) problems.push(`${imageNames.length} images; at most ${MAX_IMAGES} are accepted`);
  const byObject = new Map<string, string[]>();
  for (const n of imageNames) {
    const key = objectNameFromFile(n).toLowerCase();
    byObject.set(key, [...(byObject.get(key) ?? []), n]);
  }
  for (const [object, files] of byObject) {
    if (files.length > 1 && object !== "") problems.push(`${files.join(", ")} all name the object "${object}"`);
  }
  return problems;
}
