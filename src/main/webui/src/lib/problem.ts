/** An RFC 9457 problem document as the studio API answers errors (application/problem+json). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  [extra: string]: unknown;
}

export interface PlacedProblem {
  /** the file (as uploaded) the problem is about, or null when it is about the whole request */
  file: string | null;
  message: string;
}

const FILE_KEYS = ["subject", "file", "fileName", "filename", "field", "name", "part"];

/**
 * Places a server problem on the file it names: an explicit file/field property first, then the
 * first uploaded file name mentioned in the detail or title; otherwise it is about the whole upload.
 */
export function placeProblem(problem: Problem, fileNames: string[]): PlacedProblem {
  const message = problem.detail || problem.title || `request failed (${problem.status ?? "no status"})`;
  for (const key of FILE_KEYS) {
    const v = problem[key];
    if (typeof v === "string" && v !== "") {
      const hit = fileNames.find((f) => f === v || f.endsWith("/" + v) || baseName(f) === baseName(v));
      if (hit) return { file: hit, message };
    }
  }
  const text = `${problem.detail ?? ""} ${problem.title ?? ""}`;
  const byLength = [...fileNames].sort((a, b) => baseName(b).length - baseName(a).length);
  const mentioned = byLength.find((f) => text.includes(baseName(f)));
  return { file: mentioned ?? null, message };
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** Reads a problem from a response body, tolerating a plain-text or HTML error page. */
export function parseProblem(status: number, contentType: string | null, body: string): Problem {
  if (contentType && /json/.test(contentType)) {
    try {
      const p = JSON.parse(body);
      if (p && typeof p === "object") return { status, ...p };
    } catch {
      /* fall through to text */
    }
  }
  const text = body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 300);
  return { status, title: text || `HTTP ${status}` };
}
