import { $$ } from "../lib/dom";

/**
 * The leaderboard is rendered by the server from real scorecards (or an empty state); the bundle
 * only makes its columns sortable by keyboard and mouse.
 */
export function mountLeaderboard(): void {
  for (const table of $$("table[data-sortable], #leaderboard table")) makeSortable(table as HTMLTableElement);
}

export function makeSortable(table: HTMLTableElement): void {
  const headers = Array.from(table.tHead?.rows[0]?.cells ?? []);
  headers.forEach((th, col) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "ts-sort";
    button.textContent = th.textContent ?? "";
    th.replaceChildren(button);
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach((o) => o.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      rows.sort((a, b) => compareCells(a.cells[col]?.textContent ?? "", b.cells[col]?.textContent ?? "") * (ascending ? 1 : -1));
      body.append(...rows);
    });
  });
}

export function compareCells(a: string, b: string): number {
  const na = Number.parseFloat(a), nb = Number.parseFloat(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  if (Number.isFinite(na)) return -1;
  if (Number.isFinite(nb)) return 1;
  return a.localeCompare(b);
}
