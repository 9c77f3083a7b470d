import { emptyState, reduce, type LiveState } from "./events";

const EVENT_NAMES = ["snapshot", "run", "progress", "job", "status", "loss", "worker", "worker-gone", "run-deleted", "heartbeat"];

export type Listener = (state: LiveState) => void;

/**
 * The page's one EventSource. Every part of the page subscribes here instead of opening its own
 * stream; the browser resends Last-Event-ID on reconnect and the server answers with a snapshot.
 */
export class LiveStream {
  private state: LiveState = emptyState();
  private listeners: Listener[] = [];
  private source: EventSource | null = null;
  private statusListeners: ((connected: boolean) => void)[] = [];

  constructor(private readonly url: string) {}

  start(): void {
    if (this.source || typeof EventSource === "undefined") return;
    const source = new EventSource(this.url);
    this.source = source;
    const handle = (e: MessageEvent) => {
      this.state = reduce(this.state, { type: e.type, data: String(e.data ?? ""), id: e.lastEventId || undefined });
      for (const l of this.listeners) l(this.state);
    };
    source.addEventListener("message", handle);
    for (const name of EVENT_NAMES) source.addEventListener(name, handle as EventListener);
    source.addEventListener("open", () => this.statusListeners.forEach((l) => l(true)));
    source.addEventListener("error", () => this.statusListeners.forEach((l) => l(false)));
    window.addEventListener("pagehide", () => this.stop(), { once: true });
  }

  stop(): void {
    this.source?.close();
    this.source = null;
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
    listener(this.state);
  }

  onConnection(listener: (connected: boolean) => void): void {
    this.statusListeners.push(listener);
  }

  /** Seeds the state with what the server rendered, before the stream's snapshot arrives. */
  seed(update: (s: LiveState) => LiveState): void {
    this.state = update(this.state);
    for (const l of this.listeners) l(this.state);
  }

  current(): LiveState {
    return this.state;
  }
}

let pageStream: LiveStream | null = null;

/** The page's stream: the URL comes from data-events on <body> (or the default events endpoint). */
export function pageLive(defaultUrl: string): LiveStream {
  if (!pageStream) {
    const url = document.body.dataset.events || defaultUrl;
    pageStream = new LiveStream(url);
  }
  return pageStream;
}
