import { aboutDuration, roughNumber, shortDuration } from "./format";
import type { RunView, WorkerView } from "./model";

const PHASE_WORDS: Record<string, string> = {
  priors: "making prior images",
  prior: "making prior images",
  training: "training",
  train: "training",
  generating: "generating",
  generate: "generating",
  generation: "generating",
  grid: "making the grid",
  zip: "packing the zip",
  scoring: "scoring",
  score: "scoring",
  loading: "loading the model",
};

function progress(step?: number, total?: number): string {
  if (step == null) return "";
  return total ? ` ${step}/${total}` : ` step ${step}`;
}

/** A run's status in the words a person reads on the runs page. */
export function describeRun(run: RunView): string {
  const status = (run.status || "").toLowerCase();
  switch (status) {
    case "queued":
    case "waiting":
    case "pending": {
      const parts = ["waiting for a GPU"];
      if (run.position != null) parts.push(`position ${run.position}`);
      if (run.startsInSeconds != null && run.startsInSeconds >= 0) parts.push(aboutDuration(run.startsInSeconds));
      return parts.join(", ");
    }
    case "running":
    case "claimed": {
      const phase = (run.phase || "").toLowerCase();
      const words = PHASE_WORDS[phase] ?? (phase || "starting");
      const parts = [words + progress(run.step, run.total)];
      if (phase.startsWith("train") || phase.startsWith("prior")) {
        if (run.secondsPerStep != null && run.secondsPerStep > 0) parts.push(`${roughNumber(run.secondsPerStep)} s/step`);
        const eta = run.etaSeconds ?? remaining(run);
        if (eta != null) parts.push(`${shortDuration(eta)} left`);
      }
      return parts.join(", ");
    }
    case "done":
    case "succeeded":
    case "completed":
      return "done";
    case "failed":
      return run.reason ? `failed: ${run.reason}` : "failed";
    case "cancelling":
      return "cancelling at the next step";
    case "cancelled":
    case "canceled":
      return "cancelled";
    default:
      return status || "unknown";
  }
}

function remaining(run: RunView): number | undefined {
  if (run.step == null || !run.total || !run.secondsPerStep) return undefined;
  return Math.max(0, run.total - run.step) * run.secondsPerStep;
}

/** Whether the runs page offers Cancel and Retry for this run. */
export function actionsFor(run: RunView): { cancel: boolean; retry: boolean } {
  const s = (run.status || "").toLowerCase();
  const active = ["queued", "waiting", "pending", "running", "claimed"].includes(s);
  return { cancel: active, retry: ["failed", "cancelled", "canceled"].includes(s) };
}

/** A finished run cannot change any more, so the page can stop expecting events for it. */
export function isFinal(run: RunView): boolean {
  return ["done", "succeeded", "completed", "failed", "cancelled", "canceled"].includes((run.status || "").toLowerCase());
}

const GIB = 1024 ** 3;

/** "cuda:0 (61 of 80 GiB free) on gpu-host-1: training run 12", "cpu on laptop: idle". */
export function describeWorker(w: WorkerView, runName?: string): string {
  const memory =
    w.memoryFree != null && w.memoryTotal
      ? `(${Math.round(w.memoryFree / GIB)} of ${Math.round(w.memoryTotal / GIB)} GiB free)`
      : "";
  const where = [w.device || "device ?", memory, w.host ? `on ${w.host}` : ""].filter(Boolean).join(" ");
  if (w.state && /dead|lost|offline|stopped/i.test(w.state)) return `${where}: offline`;
  // the server leaves out which run another team's job belongs to
  if (!w.runId) return w.state === "busy" ? `${where}: busy with another team's job` : `${where}: idle`;
  const phase = PHASE_WORDS[(w.phase || "").toLowerCase()] ?? (w.phase || "working on");
  return `${where}: ${phase} ${runName ?? "run " + w.runId}`;
}
