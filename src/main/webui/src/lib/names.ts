/**
 * The object name the server derives from an image's file name: the extension is stripped,
 * trailing digits and underscores are dropped, and the remaining underscores become spaces.
 * "cypress_tree.png" -> "cypress tree", "wallet_.png" -> "wallet", "Dog_02.jpg" -> "Dog".
 */
export function objectNameFromFile(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf(".");
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return stem.replace(/[\d_\s]+$/, "").replace(/_/g, " ").replace(/\s+/g, " ").trim();
}

const FORBIDDEN = /[\\/:*?"<>|\u0000-\u001f\u007f]/;

/** Why a prompt or object name cannot be a file name ("{Prompt}.png"), or null when it can. */
export function fileNameProblem(name: string): string | null {
  if (name.trim() === "") return "is empty";
  if (name.includes("..")) return "must not contain '..'";
  if (name !== name.trim()) return "starts or ends with white space";
  const bad = name.match(FORBIDDEN);
  if (bad) return `contains the character ${JSON.stringify(bad[0])}, which is not allowed in a file name`;
  if (name.length > 120) return "is longer than 120 characters";
  return null;
}
