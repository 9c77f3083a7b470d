import type { RunView } from "./model";

/**
 * Where the run's latest preview image is, or undefined before its job stored one. The job keeps
 * one preview at one address and replaces it; the count of previews so far goes into the query so
 * the browser fetches each new one instead of showing its cached copy.
 */
export function previewSrc(run: Pick<RunView, "previewUrl" | "previews" | "jobId">): string | undefined {
  if (!run.previews || run.previews < 1) return undefined;
  const base = run.previewUrl ?? (run.jobId ? `/api/jobs/${encodeURIComponent(run.jobId)}/preview` : undefined);
  if (!base) return undefined;
  return `${base}${base.includes("?") ? "&" : "?"}n=${run.previews}`;
}
