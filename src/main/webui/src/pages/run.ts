import { apiUrl, getJson } from "../lib/api";
import { $$, h, mountPoint } from "../lib/dom";
import type { LiveState } from "../lib/events";
import { readRun } from "../lib/events";
import { pageLive } from "../lib/live";
import { lossChart } from "../lib/lossChart";
import type { LossPoint } from "../lib/model";
import { previewSrc } from "../lib/preview";
import { runsFromPage, seedRuns } from "../lib/seed";
import { actionsFor, describeRun, isFinal } from "../lib/status";
import { openLightbox } from "./lightbox";

/**
 * The run page: live status, loss curve and latest preview while it trains; then the grid (style
 * images on top) with a full-size view of each image, the downloads, and a side-by-side comparison
 * with another run on the same prompts.
 */
export function mountRun(): void {
  const runId = document.body.dataset.runId ?? document.querySelector<HTMLElement>("[data-run-id]")?.dataset.runId;
  if (!runId) return;
  const settings = readSettings();
  const live = pageLive(`${apiUrl("events")}?run=${encodeURIComponent(runId)}`);

  // a board run shows each style's curve and preview instead of the run's (pages/board.ts)
  const board = document.getElementById("board-styles");
  if (board) void import("./board").then((m) => m.mountBoard(runId, live));

  const statusLine = document.querySelector<HTMLElement>(".ts-status-line") ?? mountPoint("run-status", "p");
  statusLine.setAttribute("aria-live", "polite");
  const liveSection = mountPoint("run-live", "section", "Training progress");
  liveSection.classList.add("ts-run-live");
  // under the status line and the run's buttons
  const lastAbove = document.getElementById("run-retry") ?? statusLine;
  if (lastAbove.parentElement && liveSection.previousElementSibling !== lastAbove) lastAbove.after(liveSection);
  const chartBox = h("div", { id: "loss-chart", class: "ts-chart", role: "img", "aria-label": "Training loss by step" });
  // a run without training (the server page says so) never has a loss curve
  const trains = document.getElementById("run-no-training") === null;
  const chartNote = h("p", { class: "ts-hint", id: "loss-note" },
    trains ? "The loss curve appears when training starts." : "This run trains nothing, so it has no loss curve.");
  const previewImg = h("img", { id: "run-preview-img", alt: "Latest preview sample", hidden: true });
  const previewNote = h("p", { class: "ts-hint" }, "No preview yet.");
  liveSection.replaceChildren(
    h("div", { class: "ts-panel" }, h("h2", {}, "Loss"), chartBox, chartNote),
    h("div", { class: "ts-panel" }, h("h2", {}, "Latest preview"), previewImg, previewNote),
  );

  const drawLoss = lossChart(chartBox, "Training loss by step", { width: 640, note: chartNote });

  const cancelForm = document.getElementById("run-cancel");
  const retryForm = document.getElementById("run-retry");
  // the server writes FAILED where the stream says failed: compare them alike, or a finished run's page reloads forever
  let lastStatus: string | undefined = document.querySelector<HTMLElement>("[data-run-id][data-status]")?.dataset.status?.toLowerCase();
  function render(state: LiveState): void {
    const run = state.runs[runId!];
    if (!run) return;
    statusLine.replaceChildren("Status: ", h("strong", {}, describeRun(run)));
    statusLine.dataset.status = run.status;
    const { cancel, retry } = actionsFor(run);
    if (cancelForm) cancelForm.hidden = !cancel;
    if (retryForm) retryForm.hidden = !retry;
    drawLoss(state.loss[runId!] ?? []);
    // each new preview has a new address; until the next one loads the last one stays
    const src = previewSrc(run);
    if (src && previewImg.getAttribute("src") !== src) {
      previewImg.src = src;
      previewImg.hidden = false;
      previewNote.hidden = true;
      previewImg.alt = `Latest preview sample (${run.phase ?? "training"}${run.step != null ? ` step ${run.step}` : ""})`;
    }
    liveSection.hidden = board !== null || (isFinal(run) && !state.loss[runId!]?.length);
    // the grid and downloads are rendered by the server once the run is done: fetch them once
    if (lastStatus && lastStatus !== run.status && isFinal(run) && !document.querySelector("#run-grid figure")) {
      window.location.reload();
    }
    lastStatus = run.status;
  }

  live.subscribe(render);
  live.seed(seedRuns(runsFromPage()));
  // the loss so far, when the API offers the run's JSON (the stream then continues it)
  getJson<Record<string, unknown>>(apiUrl("run", { id: runId }))
    .then((json) => live.seed((s) => {
      const curve = Array.isArray(json.lossCurve ?? json.loss_curve) ? ((json.lossCurve ?? json.loss_curve) as unknown[]) : [];
      const pts = curve
        .map((p) => (Array.isArray(p) ? { step: Number(p[0]), loss: Number(p[1]) } : { step: Number((p as LossPoint).step), loss: Number((p as LossPoint).loss) }))
        .filter((p) => Number.isFinite(p.step) && Number.isFinite(p.loss));
      const patch = readRun(json);
      const runs = patch.id || runId ? { ...s.runs, [runId!]: { ...s.runs[runId!], ...patch, id: runId! } } : s.runs;
      return { ...s, runs: runs as LiveState["runs"], loss: pts.length && !(s.loss[runId!]?.length) ? { ...s.loss, [runId!]: pts } : s.loss };
    }))
    .catch(() => undefined);
  live.start();

  enhanceGrid(settings);
  mountCompare(runId);
}

function readSettings(): Record<string, unknown> {
  const raw = document.body.dataset.settings ?? document.getElementById("run-settings-json")?.textContent;
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return {};
  }
}

/** Every image in the grid opens full size with its prompt, seed and the run's settings. */
function enhanceGrid(settings: Record<string, unknown>): void {
  for (const fig of $$("#run-grid figure, #run-style-images figure, #board-styles figure")) {
    const img = fig.querySelector("img");
    if (!img || fig.dataset.enhanced) continue;
    fig.dataset.enhanced = "1";
    const open = () =>
      openLightbox(
        {
          src: fig.dataset.full ?? img.currentSrc ?? img.src,
          prompt: fig.dataset.prompt ?? (fig.dataset.object ? `style image: ${fig.dataset.object}` : undefined),
          seed: fig.dataset.seed,
          caption: fig.querySelector("figcaption")?.textContent ?? undefined,
          settings: fig.dataset.prompt ? settings : undefined,
        },
        img,
      );
    img.tabIndex = 0;
    img.setAttribute("role", "button");
    img.setAttribute("aria-label", `Show ${fig.dataset.prompt ?? img.alt ?? "image"} full size`);
    img.addEventListener("click", open);
    img.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        open();
      }
    });
  }
}

interface Shot {
  prompt: string;
  src: string;
  seed?: string;
}

/** The generated images of a run, read from its run page (figure[data-prompt] in #run-grid). */
export function shotsFromHtml(html: string): Shot[] {
  const doc = new DOMParser().parseFromString(html, "text/html");
  return Array.from(doc.querySelectorAll<HTMLElement>("figure[data-prompt]")).map((f) => ({
    prompt: f.dataset.prompt!,
    src: f.dataset.full ?? f.querySelector("img")?.getAttribute("src") ?? "",
    seed: f.dataset.seed,
  }));
}

function mountCompare(runId: string): void {
  const grid = document.getElementById("run-grid");
  if (!grid || !grid.querySelector("figure")) return;
  const section = mountPoint("compare", "section", "Compare with another run");
  const select = h("select", { id: "compare-with" }, h("option", { value: "" }, "Choose a run…"));
  const out = h("div", { id: "compare-result", class: "ts-compare", "aria-live": "polite" });
  section.replaceChildren(
    h("h2", {}, "Compare with another run"),
    h("div", { class: "field inline" }, h("label", { for: "compare-with" }, "Other run"), select),
    out,
  );
  getJson<unknown>(apiUrl("runs"))
    .then((body) => {
      const list = (Array.isArray(body) ? body : ((body as Record<string, unknown>)?.runs as unknown[]) ?? []) as Record<string, unknown>[];
      // only runs with results can be compared
      for (const r of list) {
        const id = String(r.id ?? r.runId);
        // a board run's page holds every style's images under the same prompts: not comparable image by image
        if (id === runId || r.board || !/^(succeeded|done)$/i.test(String(r.status ?? ""))) continue;
        select.append(h("option", { value: id }, `Run #${id}` + [r.recipeName, r.baseModel].filter(Boolean).map((v) => ` · ${v}`).join("")));
      }
    })
    .catch(() => select.append(h("option", { value: "", disabled: true }, "could not load the runs")));
  select.addEventListener("change", async () => {
    if (!select.value) return out.replaceChildren();
    out.replaceChildren(h("p", {}, "Loading…"));
    const [mine, theirs] = await Promise.all(
      [runId, select.value].map((id) => fetch(`/runs/${encodeURIComponent(id)}`).then((r) => r.text()).then(shotsFromHtml)),
    );
    const theirsByPrompt = new Map(theirs.map((s) => [s.prompt, s]));
    const common = mine.filter((s) => theirsByPrompt.has(s.prompt));
    if (common.length === 0) {
      out.replaceChildren(h("p", { class: "ts-empty" }, "These two runs have no prompts in common."));
      return;
    }
    const otherName = select.selectedOptions[0]?.textContent ?? select.value;
    out.replaceChildren(
      h("table", { class: "ts-compare-table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Prompt"), h("th", { scope: "col" }, "This run"), h("th", { scope: "col" }, otherName))),
        h("tbody", {}, ...common.map((s) => {
          const o = theirsByPrompt.get(s.prompt)!;
          const cell = (shot: Shot) => {
            const img = h("img", { src: shot.src, alt: `${shot.prompt}`, loading: "lazy", tabindex: 0, role: "button" });
            const open = () => openLightbox({ src: shot.src, prompt: shot.prompt, seed: shot.seed }, img);
            img.addEventListener("click", open);
            img.addEventListener("keydown", (e) => (e.key === "Enter" ? open() : undefined));
            return h("td", {}, img);
          };
          return h("tr", {}, h("th", { scope: "row" }, s.prompt), cell(s), cell(o));
        })),
      ),
    );
  });
}
