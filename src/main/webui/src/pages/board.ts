import { $, $$, h } from "../lib/dom";
import { shortDuration } from "../lib/format";
import type { LiveStream } from "../lib/live";
import { lossChart } from "../lib/lossChart";
import type { LossPoint, PartProgress, RunView } from "../lib/model";
import { isFinal } from "../lib/status";

/**
 * A board run's styles in one view (the server renders one article per style, tags/board.html): each
 * style's loss curve, latest preview and step from the training job's parts as they stream in, and the
 * whole board's progress and time left above them.
 */
export function mountBoard(runId: string, live: LiveStream): void {
  const cards = $$("#board-styles article[data-style-id]");
  if (cards.length === 0) return;
  const overall = document.getElementById("board-overall");
  const styles = cards.map((card) => styleCard(card));
  live.subscribe((state) => {
    const run = state.runs[runId];
    if (!run) return;
    if (overall) overall.replaceChildren(...overallProgress(run));
    const parts = new Map((run.parts ?? []).map((p) => [p.name, p]));
    for (const style of styles) style.render(parts.get(style.id), state.partLoss[runId]?.[style.id] ?? [], run.jobId);
  });
}

function styleCard(card: HTMLElement) {
  const id = card.dataset.styleId!;
  const training = $(".ts-board-training", card);
  const chartBox = $(".ts-board-chart", card)!;
  const preview = $(".ts-board-preview", card) as HTMLImageElement | null;
  const draw = lossChart(chartBox, `Training loss of style ${id} by step`, { width: 420, minWidth: 200, height: 160 });
  return {
    id,
    render(part: PartProgress | undefined, points: LossPoint[], jobId: string | undefined): void {
      draw(points);
      if (!part) return;
      if (training) {
        training.textContent = `Training: step ${part.step}${part.total ? ` of ${part.total}` : ""}` + (part.loss !== undefined ? `, loss ${part.loss.toFixed(4)}` : "");
        training.dataset.step = String(part.step);
      }
      // each new preview gets a new address (its count), so the browser fetches it instead of its cached copy
      if (preview && jobId && part.previews) {
        const src = `/api/jobs/${encodeURIComponent(jobId)}/preview?part=${encodeURIComponent(id)}&n=${part.previews}`;
        if (preview.getAttribute("src") !== src) {
          preview.src = src;
          preview.alt = `Latest preview of style ${id} (step ${part.step})`;
          preview.hidden = false;
        }
      }
    },
  };
}

const UNITS: Record<string, string> = { training: "style-steps trained", generating: "images generated" };

/** "Whole board: 24 of 90 style-steps trained, 1 min left" with a progress bar, while a job of the board reports steps. */
function overallProgress(run: RunView): (Node | string)[] {
  if (isFinal(run) || run.step == null || !run.total) return [];
  const phase = (run.phase ?? "").toLowerCase();
  const unit = UNITS[phase] ?? `steps (${phase || "running"})`;
  const eta = run.etaSeconds != null && run.etaSeconds > 0 ? `, ${shortDuration(run.etaSeconds)} left` : "";
  return [
    h("progress", { max: run.total, value: run.step, "aria-label": "Whole board" }),
    ` Whole board: ${run.step} of ${run.total} ${unit}${eta}`,
  ];
}
