import { h } from "../lib/dom";

export interface ImageInfo {
  src: string;
  prompt?: string;
  seed?: string;
  settings?: Record<string, unknown>;
  caption?: string;
}

let dialog: HTMLDialogElement | null = null;

/** Shows one image full size with its prompt, seed and settings in a modal dialog (Esc closes). */
export function openLightbox(info: ImageInfo, opener?: HTMLElement): void {
  if (!dialog) {
    dialog = h("dialog", { id: "lightbox", class: "ts-lightbox", "aria-labelledby": "lightbox-title" });
    document.body.append(dialog);
    dialog.addEventListener("click", (e) => {
      if (e.target === dialog) dialog!.close();
    });
  }
  const d = dialog;
  const title = info.prompt ?? info.caption ?? "Image";
  const rows: [string, string][] = [];
  if (info.prompt) rows.push(["Prompt", info.prompt]);
  if (info.seed) rows.push(["Seed", info.seed]);
  for (const [k, v] of Object.entries(info.settings ?? {})) rows.push([k, typeof v === "object" ? JSON.stringify(v) : String(v)]);
  const close = h("button", { type: "button", class: "ts-close", "aria-label": "Close" }, "×");
  close.addEventListener("click", () => d.close());
  d.replaceChildren(
    h("div", { class: "ts-lightbox-body" },
      h("img", { src: info.src, alt: title }),
      h("div", { class: "ts-lightbox-info" },
        h("h2", { id: "lightbox-title" }, title),
        h("dl", {}, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
        h("a", { href: info.src, download: "", class: "button" }, "Download this image"),
      ),
      close,
    ),
  );
  d.addEventListener("close", () => opener?.focus(), { once: true });
  d.showModal();
  close.focus();
}
