/**
 * Where the pages talk to the studio. Every address can be overridden by the page with a
 * data attribute on <body> (data-api-<name>="..."), so the templates stay the source of truth.
 */
const DEFAULTS: Record<string, string> = {
  styleSets: "/api/style-sets",
  runs: "/api/runs",
  run: "/api/runs/{id}",
  cancel: "/api/runs/{id}/cancel",
  retry: "/api/runs/{id}/retry",
  events: "/api/events",
};

export function apiUrl(name: keyof typeof DEFAULTS | string, params: Record<string, string> = {}): string {
  const attr = "api" + name.charAt(0).toUpperCase() + name.slice(1);
  const template = (document.body?.dataset?.[attr] as string | undefined) ?? DEFAULTS[name] ?? name;
  return template.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(params[k] ?? ""));
}

/** The page's CSRF token (layout meta tag): state-changing requests send it as X-CSRF-Token. */
export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly contentType: string | null,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  const text = await res.text();
  if (!res.ok) throw new HttpError(res.status, res.headers.get("content-type"), text);
  return JSON.parse(text) as T;
}

export async function postJson<T>(url: string, body?: unknown): Promise<T | null> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      Accept: "application/json",
      "X-CSRF-Token": csrfToken(),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new HttpError(res.status, res.headers.get("content-type"), text);
  return text ? (JSON.parse(text) as T) : null;
}
