import { apiUrl, HttpError, postJson } from "../lib/api";
import { announce, h, mountPoint } from "../lib/dom";
import type { LiveState } from "../lib/events";
import { pageLive } from "../lib/live";
import type { RunView } from "../lib/model";
import { parseProblem } from "../lib/problem";
import { runsFromPage, seedRuns } from "../lib/seed";
import { actionsFor, describeRun, describeWorker } from "../lib/status";

/**
 * The runs page: each run's status in words, live over the page's one event stream, with cancel
 * and retry buttons, and a panel of workers saying which device runs what.
 */
export function mountRuns(): void {
  const live = pageLive(apiUrl("events"));
  const serverRows = runsFromPage();
  const list = mountPoint("runs-live", "section", "Runs");
  list.classList.add("ts-runs");
  const workers = mountPoint("workers", "section", "Workers");
  workers.classList.add("ts-workers");
  const connection = h("p", { class: "ts-connection", id: "ts-connection", "aria-live": "polite" });
  workers.before(connection);

  // the server-rendered table stays for readers without the bundle; the live list replaces it
  const staticTable = document.querySelector<HTMLElement>("[data-runs-static]");
  // the server's table stays until the stream's snapshot has arrived
  list.hidden = true;

  const table = h("table", { class: "ts-table", id: "runs-table" },
    h("caption", { class: "visually-hidden" }, "Runs, newest first, with their live status"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Run"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
  );
  const body = h("tbody");
  table.append(body);
  // the page's own "no runs yet" line is reused, so the live list does not say it twice
  const serverEmpty = Array.from(document.querySelectorAll<HTMLElement>("main > p")).find((p) => /no runs yet/i.test(p.textContent ?? ""));
  const empty = serverEmpty ?? h("p", { class: "ts-empty", id: "runs-empty" }, "No runs yet. Upload a style set to start one.");
  list.replaceChildren(table, ...(serverEmpty ? [] : [empty]));
  const workersList = h("ul", { id: "workers-list", class: "ts-worker-list" });
  const heading = workers.querySelector("h2") ?? h("h2", {}, "Workers");
  const jsonLink = workers.querySelector("a[href='/api/workers']")?.closest("p");
  workers.replaceChildren(heading, workersList, ...(jsonLink ? [jsonLink] : []));
  workers.before(list);

  const rows = new Map<string, HTMLTableRowElement>();
  const names = new Map<string, string>();
  for (const r of serverRows) if (r.id && r.name) names.set(r.id, r.name);

  function render(state: LiveState): void {
    if (!state.synced) return;
    list.hidden = false;
    if (staticTable) staticTable.hidden = true;
    const runs = Object.values(state.runs).sort((a, b) => compareIds(b.id, a.id));
    empty.hidden = runs.length > 0;
    table.hidden = runs.length === 0;
    for (const run of runs) {
      if (run.name) names.set(run.id, run.name);
      let row = rows.get(run.id);
      if (!row) {
        row = h("tr", { "data-run-id": run.id });
        rows.set(run.id, row);
      }
      renderRow(row, run);
    }
    const ordered = runs.map((r) => rows.get(r.id)!);
    if (ordered.length !== body.children.length || ordered.some((row, i) => body.children[i] !== row)) body.replaceChildren(...ordered);
    // workers name their job (and run), not what it does: the running run's summary says both
    const ws = Object.values(state.workers).map((w) => {
      const run = w.runId ? state.runs[w.runId] : w.jobId ? runs.find((r) => r.jobId === w.jobId) : undefined;
      return run && run.status === "running" ? { ...w, runId: run.id, phase: w.phase ?? run.phase } : w;
    });
    workersList.replaceChildren(
      ...(ws.length
        ? ws.map((w) => h("li", { "data-worker-id": w.id, class: w.runId ? "busy" : "idle" }, describeWorker(w, w.runId ? names.get(w.runId) : undefined)))
        : [h("li", { class: "ts-empty" }, "No workers are registered. Runs wait until one starts.")]),
    );
  }

  // rows and buttons are updated in place, never rebuilt: a focused Cancel keeps its focus while progress ticks
  function renderRow(row: HTMLTableRowElement, run: RunView): void {
    const name = names.get(run.id) ?? `Run #${run.id}`;
    if (!row.firstChild) {
      row.append(
        h("th", { scope: "row" }, h("a", { href: `/runs/${encodeURIComponent(run.id)}` })),
        h("td", { class: "ts-status" }),
        h("td", { class: "ts-run-actions" }),
      );
    }
    const [head, statusCell, actions] = Array.from(row.children) as HTMLElement[];
    const link = head.querySelector("a")!;
    if (link.textContent !== name) link.textContent = name;
    row.className = `status-${run.status}`;
    const status = describeRun(run);
    if (statusCell.textContent !== status) statusCell.textContent = status;
    statusCell.dataset.status = run.status;
    const { cancel, retry } = actionsFor(run);
    const key = `${cancel ? "c" : ""}${retry ? "r" : ""}|${name}`;
    if (actions.dataset.key === key) return;
    actions.dataset.key = key;
    actions.replaceChildren();
    if (cancel) actions.append(h("button", { type: "button", class: "cancel", "aria-label": `Cancel ${name}`, onclick: () => act("cancel", run.id, name) }, "Cancel"));
    if (retry) actions.append(h("button", { type: "button", class: "retry", "aria-label": `Retry ${name}`, onclick: () => act("retry", run.id, name) }, "Retry"));
  }

  async function act(what: "cancel" | "retry", id: string, name: string): Promise<void> {
    try {
      const result = await postJson<Record<string, unknown>>(apiUrl(what, { id }));
      announce(what === "cancel" ? `Cancelling ${name}` : `Retrying ${name}`);
      const newId = result && (result.id ?? result.runId);
      if (what === "retry" && newId && String(newId) !== id) live.seed(seedRuns([{ id: String(newId), status: "queued", name }]));
    } catch (e) {
      const msg = e instanceof HttpError ? parseProblem(e.status, e.contentType, e.body) : { title: String(e) };
      announce(`Could not ${what} ${name}: ${msg.detail ?? msg.title}`);
      connection.textContent = `Could not ${what} ${name}: ${msg.detail ?? msg.title}`;
    }
  }

  live.onConnection((ok) => {
    connection.textContent = ok ? "" : "Live updates interrupted; reconnecting…";
  });
  live.subscribe(render);
  live.seed(seedRuns(serverRows));
  live.start();
}

function compareIds(a: string, b: string): number {
  const na = Number(a), nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}
