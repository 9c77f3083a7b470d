import { describe, expect, it } from "vitest";
import { emptyState, reduce, type StreamEvent } from "../src/lib/events";
import { previewSrc } from "../src/lib/preview";

const ev = (type: string, data: unknown, id?: string): StreamEvent => ({ type, data: JSON.stringify(data), id });

describe("reduce", () => {
  it("takes a snapshot as the whole truth", () => {
    let s = reduce(emptyState(), ev("run", { runId: "old", status: "running" }));
    s = reduce(
      s,
      ev("snapshot", {
        runs: [{ id: "1", status: "queued", position: 2, etaSeconds: 60 }, { id: "2", status: "done", lossCurve: [[1, 0.5], [2, 0.4]] }],
        workers: [{ id: "w1", device: "cpu", host: "h" }],
      }, "10"),
    );
    expect(Object.keys(s.runs).sort()).toEqual(["1", "2"]);
    expect(s.runs["1"]).toMatchObject({ status: "queued", position: 2, etaSeconds: 60 });
    expect(s.loss["2"]).toEqual([{ step: 1, loss: 0.5 }, { step: 2, loss: 0.4 }]);
    expect(s.workers.w1.device).toBe("cpu");
    expect(s.lastEventId).toBe("10");
    expect(s.synced).toBe(true);
  });

  it("patches a run with progress and collects the loss curve", () => {
    let s = reduce(emptyState(), ev("run", { id: "1", status: "queued", position: 1 }));
    s = reduce(s, ev("progress", { run_id: 1, status: "running", phase: "training", step: 1, total: 800, loss: 0.9, seconds_per_step: 2 }));
    s = reduce(s, ev("progress", { runId: "1", phase: "training", step: 2, loss: 0.8 }));
    s = reduce(s, ev("progress", { runId: "1", phase: "training", step: 2, loss: 0.8 }));
    expect(s.runs["1"]).toMatchObject({ status: "running", phase: "training", step: 2, total: 800, secondsPerStep: 2, loss: 0.8 });
    expect(s.runs["1"].position).toBeUndefined();
    expect(s.loss["1"]).toEqual([{ step: 1, loss: 0.9 }, { step: 2, loss: 0.8 }]);
  });

  it("drops loss points past a checkpoint the job resumed from", () => {
    let s = emptyState();
    for (const step of [1, 2, 3, 4]) s = reduce(s, ev("progress", { runId: "1", status: "running", phase: "training", step, loss: 1 / step }));
    s = reduce(s, ev("progress", { runId: "1", phase: "training", step: 3, loss: 0.31 }));
    expect(s.loss["1"].map((p) => p.step)).toEqual([1, 2, 3]);
    expect(s.loss["1"][2].loss).toBe(0.31);
  });

  it("collects every board style's loss curve from the training job's parts, and drops the parts after training", () => {
    const parts = (step: number, a: number, b: number) => [
      { name: "00", step, total: 30, loss: a, previews: step >= 2 ? 1 : undefined },
      { name: "01", step, total: 30, loss: b },
    ];
    let s = reduce(emptyState(), ev("job", { id: 7, runId: 3, state: "running", progress: { phase: "training", step: 2, total: 60, loss: 0.5, parts: parts(1, 0.4, 0.6) } }));
    s = reduce(s, ev("run", { runId: 3, status: "running", jobId: 7, phase: "training", step: 4, total: 60, parts: parts(2, 0.3, 0.5) }));
    s = reduce(s, ev("run", { runId: 3, status: "running", jobId: 7, phase: "training", step: 4, total: 60, parts: parts(2, 0.3, 0.5) }));
    expect(s.partLoss["3"]).toEqual({
      "00": [{ step: 1, loss: 0.4 }, { step: 2, loss: 0.3 }],
      "01": [{ step: 1, loss: 0.6 }, { step: 2, loss: 0.5 }],
    });
    expect(s.runs["3"].parts).toEqual(parts(2, 0.3, 0.5).map((p) => (p.previews ? p : { name: p.name, step: p.step, total: p.total, loss: p.loss })));
    s = reduce(s, ev("run", { runId: 3, status: "running", jobId: 8, phase: "generating", step: 1, total: 50 }));
    expect(s.runs["3"].parts).toBeUndefined();
    expect(s.partLoss["3"]["00"]).toHaveLength(2);
  });

  it("resets the counters when a new phase starts", () => {
    let s = reduce(emptyState(), ev("progress", { runId: "1", status: "running", phase: "training", step: 800, total: 800, secondsPerStep: 2 }));
    s = reduce(s, ev("progress", { runId: "1", phase: "generating", step: 1, total: 25 }));
    expect(s.runs["1"]).toMatchObject({ phase: "generating", step: 1, total: 25 });
    expect(s.runs["1"].secondsPerStep).toBeUndefined();
  });

  it("keeps the failure reason only while failed", () => {
    let s = reduce(emptyState(), ev("run", { id: "1", status: "failed", reason: "out of memory" }));
    expect(s.runs["1"].reason).toBe("out of memory");
    s = reduce(s, ev("run", { id: "1", status: "queued", position: 1 }));
    expect(s.runs["1"].reason).toBeUndefined();
  });

  it("reads the event type from the data when the server sends plain messages", () => {
    const s = reduce(emptyState(), ev("message", { type: "worker", workerId: "w9", device: "cuda:1", runId: "3" }));
    expect(s.workers.w9).toMatchObject({ device: "cuda:1", runId: "3" });
  });

  it("frees a worker and forgets gone ones", () => {
    let s = reduce(emptyState(), ev("worker", { id: "w", device: "cpu", runId: "3" }));
    s = reduce(s, ev("worker", { id: "w", currentJob: 12 }));
    expect(s.workers.w.jobId).toBe("12");
    s = reduce(s, ev("worker", { id: "w", runId: null, currentJob: null }));
    expect(s.workers.w.runId).toBeUndefined();
    expect(s.workers.w.jobId).toBeUndefined();
    expect(s.workers.w.device).toBe("cpu");
    s = reduce(s, ev("worker-gone", { id: "w" }));
    expect(s.workers.w).toBeUndefined();
  });

  it("ignores heartbeats and garbage but remembers the id", () => {
    const before = reduce(emptyState(), ev("run", { id: "1", status: "done" }));
    const s1 = reduce(before, { type: "heartbeat", data: "", id: "77" });
    const s2 = reduce(s1, { type: "run", data: "{not json" });
    expect(s2.runs).toEqual(before.runs);
    expect(s2.lastEventId).toBe("77");
  });

  it("takes a run summary as the run's whole state: what it no longer says no longer holds", () => {
    let s = reduce(emptyState(), ev("run", { runId: 3, status: "queued", position: 2, startsInSeconds: 90 }));
    expect(s.runs["3"]).toMatchObject({ position: 2, startsInSeconds: 90 });
    s = reduce(s, ev("run", { runId: 3, status: "running", jobId: 7, phase: "training", step: 5, total: 40, loss: 0.3, previews: 1, previewUrl: "/api/jobs/7/preview" }));
    expect(s.runs["3"].position).toBeUndefined();
    expect(s.runs["3"].startsInSeconds).toBeUndefined();
    // between TRAIN and GENERATE the run waits again, with no progress
    s = reduce(s, ev("run", { runId: 3, status: "queued", position: 1 }));
    expect(s.runs["3"]).toMatchObject({ status: "queued", position: 1 });
    expect(s.runs["3"].step).toBeUndefined();
    expect(s.runs["3"].previews).toBeUndefined();
    expect(s.loss["3"]).toEqual([{ step: 5, loss: 0.3 }]);
  });

  it("follows the preview count of a running job to a new preview address each time", () => {
    let s = reduce(emptyState(), ev("run", { runId: 2, status: "running" }));
    s = reduce(s, ev("job", { id: 31, runId: 2, kind: "TRAIN", state: "running", progress: { phase: "training", step: 4, total: 40 } }));
    expect(previewSrc(s.runs["2"])).toBeUndefined();
    s = reduce(s, ev("job", { id: 31, runId: 2, kind: "TRAIN", state: "running", progress: { phase: "training", step: 5, total: 40, previews: 1 } }));
    expect(previewSrc(s.runs["2"])).toBe("/api/jobs/31/preview?n=1");
    s = reduce(s, ev("job", { id: 31, runId: 2, kind: "TRAIN", state: "running", progress: { phase: "training", step: 10, total: 40, previews: 2 } }));
    expect(previewSrc(s.runs["2"])).toBe("/api/jobs/31/preview?n=2");
    // the next job counts its own previews
    s = reduce(s, ev("job", { id: 32, runId: 2, kind: "GENERATE", state: "running", progress: { phase: "generating", step: 1, total: 2 } }));
    expect(previewSrc(s.runs["2"])).toBeUndefined();
    s = reduce(s, ev("run", { runId: 2, status: "running", jobId: 32, phase: "generating", step: 1, total: 2, previews: 1, previewUrl: "/api/jobs/32/preview" }));
    expect(previewSrc(s.runs["2"])).toBe("/api/jobs/32/preview?n=1");
  });

  it("takes a running job's progress for its run but never its job state as the run's status", () => {
    let s = reduce(emptyState(), ev("run", { id: "5", status: "running" }));
    s = reduce(s, ev("job", { id: 91, runId: 5, kind: "TRAIN", state: "running", progress: { step: 3, total: 8, loss: 0.2 } }));
    expect(s.runs["5"]).toMatchObject({ status: "running", phase: "train", step: 3, total: 8 });
    expect(s.runs["91"]).toBeUndefined();
    s = reduce(s, ev("job", { id: 90, runId: 5, kind: "PRIOR", state: "succeeded" }));
    expect(s.runs["5"].status).toBe("running");
  });
});
