import type { LossPoint, PartProgress, RunView, WorkerView } from "./model";

/** Everything one page knows from its one SSE stream. Pure data; the pages render it. */
export interface LiveState {
  runs: Record<string, RunView>;
  workers: Record<string, WorkerView>;
  loss: Record<string, LossPoint[]>;
  /** each run's loss curve per part (a board's styles), by part name */
  partLoss: Record<string, Record<string, LossPoint[]>>;
  lastEventId?: string;
  /** a snapshot has arrived: what the page shows is the server's current state */
  synced?: boolean;
}

export interface StreamEvent {
  /** the SSE event name ("message" when the server gave none) */
  type: string;
  data: string;
  id?: string;
}

export function emptyState(): LiveState {
  return { runs: {}, workers: {}, loss: {}, partLoss: {} };
}

type Json = Record<string, unknown>;

function pick(o: Json, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}
function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}
function str(v: unknown): string | undefined {
  if (v === undefined || v === null || typeof v === "object") return undefined;
  return String(v);
}
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Reads a run (or a run's progress) from the server's JSON, accepting camelCase and snake_case. */
export function readRun(o: Json): Partial<RunView> & { id?: string } {
  const progress = (o.progress && typeof o.progress === "object" ? (o.progress as Json) : {}) as Json;
  const get = (...keys: string[]) => pick(o, ...keys) ?? pick(progress, ...keys);
  return defined({
    id: str(pick(o, "runId", "run_id", "run", "id")),
    name: str(get("name", "title")),
    status: str(get("status", "state"))?.toLowerCase(),
    phase: str(get("phase", "kind", "jobKind", "job_kind"))?.toLowerCase(),
    step: num(get("step")),
    total: num(get("total", "totalSteps", "total_steps", "steps")),
    secondsPerStep: num(get("secondsPerStep", "seconds_per_step", "sPerStep", "secPerStep")),
    etaSeconds: num(get("etaSeconds", "eta_seconds", "eta")),
    position: num(get("position", "queuePosition", "queue_position")),
    startsInSeconds: num(get("startsInSeconds", "starts_in_seconds")),
    loss: num(get("loss")),
    reason: str(get("reason", "error", "failure", "lastError", "last_error")),
    previewUrl: str(get("previewUrl", "preview_url")),
    previews: num(get("previews")),
    jobId: str(pick(o, "jobId", "job_id")),
    device: str(get("device", "workerDevice", "worker_device")),
    updatedAt: str(get("updatedAt", "updated_at", "at")),
    parts: readParts(get("parts")),
  });
}

function readParts(v: unknown): PartProgress[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const parts: PartProgress[] = [];
  for (const p of v) {
    if (!p || typeof p !== "object") continue;
    const o = p as Json;
    const name = str(o.name), step = num(o.step);
    if (name === undefined || step === undefined) continue;
    parts.push(defined({ name, step, total: num(o.total), loss: num(o.loss), previews: num(o.previews) }) as PartProgress);
  }
  return parts;
}

export function readWorker(o: Json): Partial<WorkerView> & { id?: string } {
  return defined({
    id: str(pick(o, "workerId", "worker_id", "id")),
    host: str(pick(o, "host", "hostname")),
    device: str(pick(o, "device")),
    memoryFree: num(pick(o, "memoryFree", "memory_free")),
    memoryTotal: num(pick(o, "memoryTotal", "memory_total")),
    runId: str(pick(o, "runId", "run_id", "currentRun", "current_run")),
    jobId: str(pick(o, "jobId", "job_id", "currentJob", "current_job")),
    phase: str(pick(o, "phase", "jobKind", "job_kind"))?.toLowerCase(),
    lastHeartbeat: str(pick(o, "lastHeartbeat", "last_heartbeat", "heartbeatAt", "heartbeat_at")),
    state: str(pick(o, "state", "status")),
  });
}

/** What a run summary says only while it holds: a summary without them means they no longer apply. */
const TRANSIENT = ["phase", "step", "total", "secondsPerStep", "etaSeconds", "position", "startsInSeconds", "loss", "previews", "previewUrl", "jobId", "reason", "parts"] as const;

/**
 * Merges a run patch into the page's state. A whole summary (a run event or a snapshot's run)
 * replaces what it does not mention; a job's progress only adds to it.
 */
function upsertRun(state: LiveState, o: Json, whole = false): LiveState {
  const patch = readRun(o);
  if (!patch.id) return state;
  const before = state.runs[patch.id] ?? { id: patch.id, status: "queued" };
  const run: RunView = { ...before, ...patch, id: patch.id } as RunView;
  if (whole) for (const k of TRANSIENT) if (patch[k] === undefined) delete run[k];
  // a new phase or job starts its own counters; keep no stale step/total/previews from the previous job
  const newJob = patch.jobId !== undefined && before.jobId !== undefined && patch.jobId !== before.jobId;
  if ((patch.phase && before.phase && patch.phase !== before.phase) || newJob) {
    for (const k of ["step", "total", "secondsPerStep", "etaSeconds", "previews"] as const) if (patch[k] === undefined) delete run[k];
  }
  if (run.status !== "failed") delete run.reason;
  if (run.status !== "queued") {
    delete run.position;
    delete run.startsInSeconds;
  }
  let loss = state.loss;
  let partLoss = state.partLoss;
  if ((run.phase ?? "").startsWith("train")) {
    if (patch.loss !== undefined && patch.step !== undefined) {
      const series = withPoint(state.loss[patch.id] ?? [], patch.step, patch.loss);
      if (series !== state.loss[patch.id]) loss = { ...state.loss, [patch.id]: series };
    }
    let byPart = state.partLoss[patch.id] ?? {};
    for (const part of patch.parts ?? []) {
      if (part.loss === undefined) continue;
      const series = withPoint(byPart[part.name] ?? [], part.step, part.loss);
      if (series !== byPart[part.name]) byPart = { ...byPart, [part.name]: series };
    }
    if (byPart !== (state.partLoss[patch.id] ?? {})) partLoss = { ...state.partLoss, [patch.id]: byPart };
  }
  return { ...state, runs: { ...state.runs, [patch.id]: run }, loss, partLoss };
}

/**
 * A loss curve with one more report: a later step is appended, the same step again changes nothing, and an
 * earlier one means the job resumed from a checkpoint, so the points after it go.
 */
function withPoint(series: LossPoint[], step: number, value: number): LossPoint[] {
  const last = series[series.length - 1];
  if (!last || step > last.step) return [...series, { step, loss: value }];
  if (step < last.step) return [...series.filter((p) => p.step < step), { step, loss: value }];
  return series;
}

function upsertWorker(state: LiveState, o: Json): LiveState {
  const patch = readWorker(o);
  if (!patch.id) return state;
  const worker = { ...(state.workers[patch.id] ?? {}), ...patch } as WorkerView;
  if ("runId" in o || "run_id" in o) {
    if (o.runId == null && o.run_id == null) delete worker.runId;
  }
  if ("currentJob" in o || "jobId" in o) {
    if (o.currentJob == null && o.jobId == null) delete worker.jobId;
  }
  return { ...state, workers: { ...state.workers, [patch.id]: worker } };
}

function lossFrom(o: Json): LossPoint[] | undefined {
  const raw = pick(o, "lossCurve", "loss_curve", "losses");
  if (!Array.isArray(raw)) return undefined;
  const pts: LossPoint[] = [];
  for (const p of raw) {
    if (Array.isArray(p)) {
      const step = num(p[0]), loss = num(p[1]);
      if (step !== undefined && loss !== undefined) pts.push({ step, loss });
    } else if (p && typeof p === "object") {
      const step = num((p as Json).step), loss = num((p as Json).loss);
      if (step !== undefined && loss !== undefined) pts.push({ step, loss });
    }
  }
  return pts.sort((a, b) => a.step - b.step);
}

/**
 * Folds one SSE event into the page's state. A snapshot replaces what the page knew (it is what
 * the server sends on connect and reconnect); run/progress/job events patch one run; worker
 * events patch the workers panel; heartbeats and unknown events change nothing but the id.
 */
export function reduce(state: LiveState, ev: StreamEvent): LiveState {
  const next = ev.id ? { ...state, lastEventId: ev.id } : state;
  const type = ev.type.toLowerCase();
  if (type === "heartbeat" || type === "ping" || ev.data.trim() === "") return next;
  let body: unknown;
  try {
    body = JSON.parse(ev.data);
  } catch {
    return next;
  }
  if (!body || typeof body !== "object") return next;
  const o = body as Json;
  const kind = type === "message" ? String(o.type ?? o.event ?? "").toLowerCase() : type;

  if (kind === "snapshot") {
    let s: LiveState = { runs: {}, workers: {}, loss: { ...next.loss }, partLoss: next.partLoss, lastEventId: next.lastEventId, synced: true };
    const runs = Array.isArray(o.runs) ? (o.runs as Json[]) : [];
    for (const r of runs) {
      s = upsertRun(s, r, true);
      const id = readRun(r).id;
      const curve = lossFrom(r);
      if (id && curve) s = { ...s, loss: { ...s.loss, [id]: curve } };
    }
    for (const w of Array.isArray(o.workers) ? (o.workers as Json[]) : []) s = upsertWorker(s, w);
    return s;
  }
  if (kind === "job") {
    // a job's own state is not its run's status (the run event that follows carries that):
    // take only a running job's progress, under its run's id
    const runId = o.runId ?? o.run_id;
    if (runId == null || String(o.state ?? "").toLowerCase() !== "running") return next;
    const { id: jobId, state: _state, status: _status, error: _error, reason: _reason, ...progress } = o;
    void _state; void _status; void _error; void _reason;
    return upsertRun(next, { ...progress, runId, jobId });
  }
  if (kind === "worker") return upsertWorker(next, o);
  if (kind === "worker-gone" || kind === "worker-removed" || kind === "worker_gone") {
    const id = readWorker(o).id;
    if (!id) return next;
    const workers = { ...next.workers };
    delete workers[id];
    return { ...next, workers };
  }
  if (kind === "run-deleted" || kind === "run_deleted") {
    const id = readRun(o).id;
    if (!id) return next;
    const runs = { ...next.runs };
    delete runs[id];
    return { ...next, runs };
  }
  if (["run", "progress", "status", "run-status", "run_status", "loss", ""].includes(kind)) {
    let s = upsertRun(next, o, kind === "run");
    const id = readRun(o).id;
    const curve = lossFrom(o);
    if (id && curve) s = { ...s, loss: { ...s.loss, [id]: curve } };
    return s;
  }
  return next;
}
