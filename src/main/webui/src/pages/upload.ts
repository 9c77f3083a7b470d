import { apiUrl, getJson, HttpError, postJson } from "../lib/api";
import { $, announce, h, mountPoint } from "../lib/dom";
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

interface Recipe {
  id?: string;
  name: string;
  description?: string;
  settings: Record<string, unknown>;
}

/**
 * The upload page: a drop zone (files or a whole folder), thumbnails named as the server will
 * name them, per-file checks before and after the upload, an upload progress bar, then the
 * recipe step (pick a preset, edit its settings, start the run).
 */
export function mountUpload(): void {
  const root = mountPoint("upload-app", "section", "Upload a style set");
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
  const fileInput = h("input", { id: "ts-files", type: "file", multiple: true, accept: "image/png,image/jpeg,.json", class: "visually-hidden" });
  const folderInput = h("input", { id: "ts-folder", type: "file", multiple: true, class: "visually-hidden" });
  folderInput.setAttribute("webkitdirectory", "");
  const dropZone = h(
    "div",
    { class: "ts-drop", id: "drop-zone", tabindex: 0, role: "button", "aria-describedby": "ts-drop-help" },
    h("strong", {}, "Drop a style folder or images here"),
    h("span", { id: "ts-drop-help" }, "PNG or JPEG, up to 20 MB each, 1 to 50 images, plus prompt.json. Press Enter to choose files."),
    h("span", { class: "ts-drop-buttons" },
      h("label", { for: "ts-files", class: "button" }, "Choose files"),
      h("label", { for: "ts-folder", class: "button" }, "Choose a folder")),
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
        h("span", { id: "ts-style-id-help", class: "ts-hint" }, "The folder name in the submission zip: letters, digits, - or _."))),
    dropZone, fileInput, folderInput, summary, setErrors, thumbs, promptBox,
    h("div", { class: "ts-actions" }, uploadButton, clearButton, progress, progressText),
  );
  const recipeStep = h("section", { id: "ts-recipe", class: "ts-recipe", hidden: true, "aria-labelledby": "ts-recipe-title" });
  root.replaceChildren(form, recipeStep);
  if (serverForm && root.previousElementSibling !== serverForm) serverForm.after(root);

  dropZone.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      fileInput.click();
    }
  });
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
        // the style set's page shows what was stored and starts runs from a recipe preset
        if (id && document.body.dataset.page === "upload") window.location.assign(`/style-sets/${encodeURIComponent(id)}`);
        else showRecipes(id, String(set.name ?? nameInput.value));
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

  async function showRecipes(styleSetId: string, styleSetName: string): Promise<void> {
    recipeStep.hidden = false;
    recipeStep.replaceChildren(h("h2", { id: "ts-recipe-title" }, `Train on “${styleSetName}”`), h("p", {}, "Loading recipes…"));
    let recipes: Recipe[] = [];
    try {
      const body = await getJson<unknown>(apiUrl("recipes"));
      recipes = normaliseRecipes(body);
    } catch (e) {
      recipeStep.append(h("p", { class: "error", role: "alert" }, `Could not load the recipe presets (${(e as Error).message}).`));
      return;
    }
    const select = h("select", { id: "ts-preset", name: "preset" }, ...recipes.map((r, i) => h("option", { value: String(i) }, r.name)));
    const description = h("p", { class: "ts-hint", id: "ts-preset-description" });
    const settings = h("fieldset", { id: "ts-settings", class: "ts-settings" });
    const start = h("button", { type: "submit", id: "ts-start", class: "primary" }, "Start training");
    const message = h("p", { id: "ts-start-message", "aria-live": "polite" });
    const recipeForm = h(
      "form",
      { id: "ts-recipe-form" },
      h("div", { class: "field" }, h("label", { for: "ts-preset" }, "Recipe preset"), select),
      description,
      settings,
      h("div", { class: "ts-actions" }, start),
      message,
    );
    recipeStep.replaceChildren(recipeStep.firstChild!, recipeForm);
    const showSettings = () => {
      const r = recipes[Number(select.value)];
      description.textContent = r?.description ?? "";
      settings.replaceChildren(h("legend", {}, "Settings (edit any before starting)"), ...settingFields(r?.settings ?? {}));
    };
    select.addEventListener("change", showSettings);
    showSettings();
    recipeForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const r = recipes[Number(select.value)];
      const edited = readSettings(settings, r.settings);
      start.disabled = true;
      message.textContent = "Starting…";
      try {
        const run = await postJson<Record<string, unknown>>(apiUrl("runs"), {
          styleSetId,
          recipe: r.id ?? r.name,
          settings: edited,
        });
        const runId = run ? String(run.id ?? run.runId ?? "") : "";
        message.textContent = "Started.";
        window.location.assign(runId ? `/runs/${encodeURIComponent(runId)}` : "/runs");
      } catch (e) {
        const err = e as HttpError;
        const problem = err instanceof HttpError ? parseProblem(err.status, err.contentType, err.body) : { title: String(e) };
        message.textContent = `Could not start: ${problem.detail ?? problem.title}`;
        message.classList.add("error");
        start.disabled = false;
      }
    });
    $("#ts-preset")?.focus();
  }
}

function normaliseRecipes(body: unknown): Recipe[] {
  const list = Array.isArray(body) ? body : body && typeof body === "object" ? Object.entries(body as object).map(([name, v]) => ({ name, ...(v as object) })) : [];
  return list.map((r: Record<string, unknown>) => {
    const { id, name, description, settings, ...rest } = r;
    return {
      id: id != null ? String(id) : undefined,
      name: String(name ?? id ?? "preset"),
      description: description != null ? String(description) : undefined,
      settings: (settings && typeof settings === "object" ? settings : rest) as Record<string, unknown>,
    };
  });
}

function settingFields(settings: Record<string, unknown>): HTMLElement[] {
  return Object.entries(settings).map(([key, value]) => {
    const id = `setting-${cssId(key)}`;
    const label = h("label", { for: id }, humanise(key));
    let input: HTMLInputElement;
    if (typeof value === "boolean") {
      input = h("input", { id, name: key, type: "checkbox" });
      input.checked = value;
    } else if (typeof value === "number") {
      input = h("input", { id, name: key, type: "number", step: Number.isInteger(value) ? "1" : "any", value: String(value) });
    } else {
      input = h("input", { id, name: key, type: "text", value: typeof value === "string" ? value : JSON.stringify(value) });
    }
    return h("div", { class: "field" }, label, input);
  });
}

function readSettings(fieldset: HTMLElement, original: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(original)) {
    const input = fieldset.querySelector<HTMLInputElement>(`[name="${CSS.escape(key)}"]`);
    if (!input) continue;
    if (typeof value === "boolean") out[key] = input.checked;
    else if (typeof value === "number") out[key] = input.value === "" ? value : Number(input.value);
    else if (typeof value === "string") out[key] = input.value;
    else {
      try {
        out[key] = JSON.parse(input.value);
      } catch {
        out[key] = input.value;
      }
    }
  }
  return out;
}

function humanise(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function cssId(s: string): string {
  return s.replace(/[^a-zA-Z0-9_-]/g, "_");
}

function commonFolder(paths: string[]): string {
  const firsts = new Set(paths.map((p) => (p.includes("/") ? p.split("/")[0] : "")));
  return firsts.size === 1 ? [...firsts][0] : "";
}
