import { apiUrl, csrfToken } from "../lib/api";
import { announce, h, mountPoint } from "../lib/dom";
import { filesFromDrop, filesFromInput, isJunk, isPromptFile, type PickedFile } from "../lib/files";
import { megabytes } from "../lib/format";
import { objectNameFromFile } from "../lib/names";
import { parseProblem, placeProblem } from "../lib/problem";
import { checkPromptJson, imageProblems, setProblems } from "../lib/validate";

interface Entry {
  picked: PickedFile;
  kind: "image" | "prompts";
  problems: string[];
  serverProblem?: string;
  card?: HTMLElement;
  url?: string;
}

/**
 * The upload page: a drop zone (files or a whole folder), thumbnails named as the server will
 * name them, per-file checks before and after the upload, and an upload progress bar. Once stored,
 * the style set's own page shows it and starts runs from a recipe preset.
 */
export function mountUpload(): void {
  const root = mountPoint("upload-app", "div");
  root.classList.add("ts-upload");
  const serverForm = document.querySelector<HTMLFormElement>("form[data-upload], form#upload-form, form[enctype='multipart/form-data']");
  // the page's form posts to the HTML endpoint; the enhanced upload talks JSON to the API
  const action = apiUrl("styleSets");
  const imageField = serverForm?.querySelector<HTMLInputElement>("input[type=file][multiple]")?.name || "images";
  const promptField =
    serverForm?.querySelector<HTMLInputElement>("input[type=file]:not([multiple])")?.name || "prompts";
  const nameField = serverForm?.querySelector<HTMLInputElement>("input[type=text]")?.name || "name";
  if (serverForm) serverForm.hidden = true;

  let entries: Entry[] = [];

  const nameInput = h("input", { id: "ts-set-name", type: "text", name: "name", required: true, autocomplete: "off", placeholder: "e.g. Van Gogh wheat fields" });
  const styleIdInput = h("input", { id: "ts-style-id", type: "text", name: "styleId", autocomplete: "off", pattern: "[A-Za-z0-9_-]{1,32}", placeholder: "e.g. 00", "aria-describedby": "ts-style-id-help" });
  const templateInput = h("input", { id: "ts-prompt-template", type: "text", name: "promptTemplate", autocomplete: "off", maxlength: 500, placeholder: "e.g. \"paper\" painting of {object}", "aria-describedby": "ts-prompt-template-help" });
  const fileInput = h("input", { id: "ts-files", type: "file", multiple: true, accept: "image/png,image/jpeg,.json", class: "visually-hidden", tabindex: -1, "aria-label": "Images and prompt.json" });
  const folderInput = h("input", { id: "ts-folder", type: "file", multiple: true, class: "visually-hidden", tabindex: -1, "aria-label": "A style folder" });
  folderInput.setAttribute("webkitdirectory", "");
  const dropZone = h(
    "div",
    { class: "ts-drop", id: "drop-zone", role: "group", "aria-label": "Drop a style folder or images here", "aria-describedby": "ts-drop-help" },
    h("strong", {}, "Drop a style folder or images here"),
    h("span", { id: "ts-drop-help" }, "PNG or JPEG, up to 20 MB each, 1 to 50 images, plus prompt.json. Or choose them:"),
    h("span", { class: "ts-drop-buttons" },
      // buttons, not labels of the hidden inputs: a keyboard reaches them and sees where focus is
      h("button", { type: "button", id: "ts-choose-files", onclick: () => fileInput.click() }, "Choose files"),
      h("button", { type: "button", id: "ts-choose-folder", onclick: () => folderInput.click() }, "Choose a folder")),
  );
  const summary = h("p", { id: "ts-summary", class: "ts-summary", "aria-live": "polite" });
  const setErrors = h("ul", { id: "ts-set-errors", class: "ts-errors", "aria-live": "polite" });
  const thumbs = h("ul", { id: "ts-thumbs", class: "ts-thumbs", "aria-label": "Images in this style set" });
  const promptBox = h("div", { id: "ts-prompts", class: "ts-prompts" });
  const progress = h("progress", { id: "ts-progress", max: 100, value: 0, hidden: true, "aria-label": "Upload progress" });
  const progressText = h("span", { id: "ts-progress-text", "aria-live": "polite" });
  const uploadButton = h("button", { type: "submit", id: "ts-upload", class: "primary", disabled: true }, "Upload");
  const clearButton = h("button", { type: "button", id: "ts-clear" }, "Clear");
  const form = h(
    "form",
    { id: "ts-upload-form", novalidate: true },
    h("div", { class: "ts-row" },
      h("div", { class: "field" }, h("label", { for: "ts-set-name" }, "Style set name"), nameInput),
      h("div", { class: "field" }, h("label", { for: "ts-style-id" }, "Style id (optional)"), styleIdInput,
        h("span", { id: "ts-style-id-help", class: "ts-hint" }, "The folder name in the submission zip: letters, digits, - or _.")),
      h("div", { class: "field" }, h("label", { for: "ts-prompt-template" }, "Prompt template (optional)"), templateInput,
        h("span", { id: "ts-prompt-template-help", class: "ts-hint" }, "What {object} of a run's generation prompt becomes for this style; must contain {object}."))),
    dropZone, fileInput, folderInput, summary, setErrors, thumbs, promptBox,
    h("div", { class: "ts-actions" }, uploadButton, clearButton, progress, progressText),
  );
  root.replaceChildren(form);
  if (serverForm && root.previousElementSibling !== serverForm) serverForm.after(root);

  for (const type of ["dragenter", "dragover"]) {
    dropZone.addEventListener(type, (e) => {
      e.preventDefault();
      dropZone.classList.add("over");
    });
  }
  dropZone.addEventListener("dragleave", () => dropZone.classList.remove("over"));
  dropZone.addEventListener("drop", async (e) => {
    e.preventDefault();
    dropZone.classList.remove("over");
    if (e.dataTransfer) await add(await filesFromDrop(e.dataTransfer));
  });
  fileInput.addEventListener("change", () => add(filesFromInput(fileInput)));
  folderInput.addEventListener("change", () => add(filesFromInput(folderInput)));
  clearButton.addEventListener("click", () => {
    for (const e of entries) if (e.url) URL.revokeObjectURL(e.url);
    entries = [];
    render();
  });
  nameInput.addEventListener("input", () => updateState());

  async function add(picked: PickedFile[]): Promise<void> {
    const wanted = picked.filter((p) => !isJunk(p.path));
    const folderName = commonFolder(wanted.map((p) => p.path));
    if (folderName && !nameInput.value) nameInput.value = folderName;
    if (folderName && !styleIdInput.value && /^[A-Za-z0-9_-]{1,32}$/.test(folderName)) styleIdInput.value = folderName;
    for (const p of wanted) {
      const kind = isPromptFile(p.path) ? "prompts" : "image";
      if (kind === "prompts") entries = entries.filter((e) => e.kind !== "prompts");
      entries = entries.filter((e) => e.picked.path !== p.path);
      entries.push({ picked: p, kind, problems: await check(p, kind) });
    }
    entries.sort((a, b) => a.picked.path.localeCompare(b.picked.path));
    render();
  }

  async function check(p: PickedFile, kind: Entry["kind"]): Promise<string[]> {
    if (kind === "prompts") return checkPromptJson(await p.file.text(), p.file.size).problems;
    const head = new Uint8Array(await p.file.slice(0, 16).arrayBuffer());
    return imageProblems(p.path, p.file.size, head);
  }

  function render(): void {
    thumbs.replaceChildren();
    const images = entries.filter((e) => e.kind === "image");
    for (const e of images) {
      if (!e.url && e.problems.length === 0) e.url = URL.createObjectURL(e.picked.file);
      const problems = [...e.problems, ...(e.serverProblem ? [e.serverProblem] : [])];
      const objectName = objectNameFromFile(e.picked.path);
      const errId = `err-${cssId(e.picked.path)}`;
      e.card = h(
        "li",
        { class: "ts-thumb" + (problems.length ? " bad" : ""), "data-file": e.picked.path },
        e.url ? h("img", { src: e.url, alt: objectName, loading: "lazy" }) : h("div", { class: "ts-noimg", "aria-hidden": "true" }, "?"),
        h("span", { class: "ts-object" }, objectName || "(no name)"),
        h("span", { class: "ts-file" }, `${e.picked.path.split("/").pop()} · ${megabytes(e.picked.file.size)}`),
        problems.length ? h("ul", { class: "ts-file-errors", id: errId, role: "alert" }, ...problems.map((p) => h("li", {}, p))) : null,
        h("button", { type: "button", class: "ts-remove", "aria-label": `Remove ${e.picked.path}`, onclick: () => remove(e) }, "×"),
      );
      thumbs.append(e.card);
    }
    const prompts = entries.find((e) => e.kind === "prompts");
    promptBox.replaceChildren();
    if (prompts) {
      void prompts.picked.file.text().then((text) => {
        const r = checkPromptJson(text, prompts.picked.file.size);
        const problems = [...r.problems, ...(prompts.serverProblem ? [prompts.serverProblem] : [])];
        promptBox.replaceChildren(
          h("h3", {}, `Prompts (${r.prompts.length}) from ${prompts.picked.path}`),
          problems.length
            ? h("ul", { class: "ts-file-errors", role: "alert", "data-file": prompts.picked.path }, ...problems.map((p) => h("li", {}, `${prompts.picked.path}: ${p}`)))
            : h("p", { class: "ts-prompt-list" }, r.prompts.join(" · ")),
          h("button", { type: "button", class: "ts-remove-prompts", onclick: () => remove(prompts) }, "Remove prompt list"),
        );
      });
    } else if (images.length) {
      promptBox.replaceChildren(h("p", { class: "ts-hint" }, "No prompt list yet: add prompt.json ({\"0\": \"Dolphin\", ...} or [\"Dolphin\", ...])."));
    }
    updateState();
  }

  function remove(e: Entry): void {
    if (e.url) URL.revokeObjectURL(e.url);
    entries = entries.filter((x) => x !== e);
    render();
  }

  function updateState(): void {
    const images = entries.filter((e) => e.kind === "image");
    const bad = entries.filter((e) => e.problems.length > 0);
    const whole = entries.length ? setProblems(images.map((e) => e.picked.path)) : [];
    if (entries.length && !entries.some((e) => e.kind === "prompts")) whole.push("add the prompt list (prompt.json)");
    setErrors.replaceChildren(...whole.map((p) => h("li", {}, p)));
    summary.textContent = entries.length
      ? `${images.length} image${images.length === 1 ? "" : "s"}${bad.length ? `, ${bad.length} with problems` : ""}`
      : "";
    uploadButton.disabled = !(images.length > 0 && bad.length === 0 && whole.length === 0 && nameInput.value.trim() !== "");
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (uploadButton.disabled) return;
    const data = new FormData();
    data.append(nameField, nameInput.value.trim());
    if (styleIdInput.value.trim()) data.append("styleId", styleIdInput.value.trim());
    if (templateInput.value.trim()) data.append("promptTemplate", templateInput.value.trim());
    for (const e of entries) {
      const base = e.picked.path.split("/").pop() ?? e.picked.path;
      data.append(e.kind === "image" ? imageField : promptField, e.picked.file, base);
    }
    upload(data);
  });

  function upload(data: FormData): void {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    progress.hidden = false;
    progress.value = 0;
    uploadButton.disabled = true;
    progressText.textContent = "Uploading…";
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((e.loaded / e.total) * 100);
      progress.value = pct;
      progressText.textContent = `Uploading ${pct}% (${megabytes(e.loaded)} of ${megabytes(e.total)})`;
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        progress.value = 100;
        progressText.textContent = "Uploaded. The server checked every file.";
        announce("Style set uploaded");
        let set: Record<string, unknown> = {};
        try {
          set = JSON.parse(xhr.responseText || "{}");
        } catch {
          /* a non-JSON success still means stored */
        }
        const id = String(set.id ?? set.styleSetId ?? "");
        window.location.assign(id ? `/style-sets/${encodeURIComponent(id)}` : "/style-sets");
      } else {
        const problem = parseProblem(xhr.status, xhr.getResponseHeader("content-type"), xhr.responseText);
        const placed = placeProblem(problem, entries.map((e) => e.picked.path));
        for (const e of entries) e.serverProblem = undefined;
        const target = placed.file ? entries.find((e) => e.picked.path === placed.file) : undefined;
        if (target) target.serverProblem = `rejected by the server: ${placed.message}`;
        render();
        progress.hidden = true;
        progressText.textContent = target
          ? `The server rejected ${target.picked.path.split("/").pop()}: ${placed.message}`
          : `The server rejected the upload: ${placed.message}`;
        progressText.classList.add("error");
        announce(progressText.textContent);
        uploadButton.disabled = false;
      }
    });
    xhr.addEventListener("error", () => {
      progress.hidden = true;
      progressText.textContent = "The upload failed: the studio could not be reached.";
      uploadButton.disabled = false;
    });
    progressText.classList.remove("error");
    xhr.send(data);
  }
}

function cssId(s: string): string {
  return s.replace(/[^a-zA-Z0-9_-]/g, "_");
}

function commonFolder(paths: string[]): string {
  const firsts = new Set(paths.map((p) => (p.includes("/") ? p.split("/")[0] : "")));
  return firsts.size === 1 ? [...firsts][0] : "";
}
