import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { LossPoint } from "./model";

/**
 * A loss-by-step chart drawn into `box` once it has points and redrawn as they come, as wide as `box` between
 * `minWidth` and `width`; `box`'s aria-label
 * says how many points there are and the latest, after `label`. `note` (if given) shows until the first point.
 */
export function lossChart(box: HTMLElement, label: string, options: { width?: number; minWidth?: number; height?: number; note?: HTMLElement } = {}): (points: LossPoint[]) => void {
  let chart: uPlot | null = null;
  let shown = -1;
  return (points) => {
    if (points.length === shown) return;
    shown = points.length;
    if (options.note) options.note.hidden = points.length > 0;
    const data: uPlot.AlignedData = [points.map((p) => p.step), points.map((p) => p.loss)];
    if (!chart) {
      if (points.length === 0) return;
      const most = options.width ?? 640;
      const width = Math.max(options.minWidth ?? 280, Math.min(most, box.clientWidth || most));
      chart = new uPlot(
        {
          width,
          height: options.height ?? 220,
          scales: { x: { time: false } },
          axes: [{ label: "step" }, { label: "loss" }],
          series: [{ label: "step" }, { label: "loss", stroke: "#2563eb", width: 1.5 }],
          legend: { show: true },
        },
        data,
        box,
      );
    } else chart.setData(data);
    const last = points[points.length - 1];
    box.setAttribute("aria-label", `${label}: ${points.length} points, latest ${last.loss.toFixed(4)} at step ${last.step}`);
  };
}
