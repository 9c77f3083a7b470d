import type { LiveState } from "./events";
import { readRun } from "./events";
import type { RunView } from "./model";

/**
 * Reads the runs the server rendered into the page (elements with data-run-id and data-status,
 * data-phase, data-step, ... attributes), so the live view starts from what the reader already sees.
 */
export function runsFromPage(root: ParentNode = document): Partial<RunView>[] {
  return Array.from(root.querySelectorAll<HTMLElement>("[data-run-id][data-status]")).map((el) => {
    const d = el.dataset;
    return readRun({
      id: d.runId,
      name: d.runName,
      status: d.status,
      phase: d.phase,
      step: d.step,
      total: d.total,
      secondsPerStep: d.secondsPerStep,
      etaSeconds: d.etaSeconds,
      position: d.position,
      reason: d.reason,
      previewUrl: d.previewUrl,
    });
  });
}

export function seedRuns(runs: Partial<RunView>[]): (s: LiveState) => LiveState {
  return (s) => {
    const next = { ...s, runs: { ...s.runs } };
    for (const r of runs) if (r.id && !next.runs[r.id]) next.runs[r.id] = { status: "queued", ...r } as RunView;
    return next;
  };
}
