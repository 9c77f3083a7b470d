/** What the pages know about a run, merged from the server-rendered page and the SSE stream. */
export interface RunView {
  id: string;
  name?: string;
  /** queued | running | done | failed | cancelled | cancelling */
  status: string;
  /** the phase of the current job: priors | training | generating | grid | scoring | ... */
  phase?: string;
  step?: number;
  total?: number;
  secondsPerStep?: number;
  etaSeconds?: number;
  /** place in the queue, 1 = next */
  position?: number;
  /** expected wait before a worker takes its next job, while queued */
  startsInSeconds?: number;
  loss?: number;
  reason?: string;
  previewUrl?: string;
  /** how many preview images the current job has stored so far (the image at previewUrl changes with it) */
  previews?: number;
  /** the job the progress belongs to */
  jobId?: string;
  /** which device is working on it, when running */
  device?: string;
  updatedAt?: string;
  /** each part's latest report while the job trains several together (a board run's styles, named by style id) */
  parts?: PartProgress[];
}

/** One part of a running job: a board style's own step, loss and count of stored previews. */
export interface PartProgress {
  name: string;
  step: number;
  total?: number;
  loss?: number;
  previews?: number;
}

export interface WorkerView {
  id: string;
  host?: string;
  device?: string;
  /** free and total device memory in bytes at its last heartbeat (GPU workers only) */
  memoryFree?: number;
  memoryTotal?: number;
  /** the run (and job) it is working on, if any (left out when it is another team's) */
  runId?: string;
  jobId?: string;
  phase?: string;
  lastHeartbeat?: string;
  state?: string;
}

export interface LossPoint {
  step: number;
  loss: number;
}
