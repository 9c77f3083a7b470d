import { $$ } from "../lib/dom";

/**
 * The style set's run form: the settings box shows the chosen preset's settings, all of them, to
 * edit before starting. The server renders every preset's settings (pre[data-recipe]) for readers
 * without the bundle; with it, the box is where they are read and edited.
 */
export function mountRunForm(): void {
  const preset = document.querySelector<HTMLSelectElement>("#run-form select[name=recipe]");
  const settings = document.querySelector<HTMLTextAreaElement>("#run-form textarea[name=settings]");
  if (!preset || !settings) return;
  const presets = new Map($$("pre[data-recipe]").map((pre) => [pre.dataset.recipe!, pre.textContent ?? ""]));
  const load = () => {
    settings.value = presets.get(preset.value) ?? "";
    settings.removeAttribute("aria-invalid");
  };
  // a form the server sent back with a problem keeps what the person wrote
  if (settings.value.trim() === "") load();
  preset.addEventListener("change", load);
  document.getElementById("settings-hint")?.append(" Choosing a recipe replaces the box with all of its settings.");
  const everyPreset = document.getElementById("preset-settings");
  if (everyPreset) everyPreset.hidden = true;
}
