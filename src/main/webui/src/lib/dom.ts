type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

/** Creates an element: h("button", {type: "button", onclick: f}, "Cancel"). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v as EventListener);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function $(selector: string, root: ParentNode = document): HTMLElement | null {
  return root.querySelector<HTMLElement>(selector);
}

export function $$(selector: string, root: ParentNode = document): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(selector));
}

/** The element with this id, created and appended to the page's main area when the template has none. */
export function mountPoint(id: string, tag: keyof HTMLElementTagNameMap = "section", label?: string): HTMLElement {
  const existing = document.getElementById(id);
  if (existing) return existing;
  const el = document.createElement(tag);
  el.id = id;
  if (label) el.setAttribute("aria-label", label);
  (document.querySelector("main") ?? document.body).append(el);
  return el;
}

/** Announces a message to screen readers through one polite live region. */
export function announce(text: string): void {
  let region = document.getElementById("ts-announcer");
  if (!region) {
    region = h("div", { id: "ts-announcer", class: "visually-hidden", "aria-live": "polite", role: "status" });
    document.body.append(region);
  }
  region.textContent = text;
}
