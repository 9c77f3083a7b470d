import { describe, expect, it } from "vitest";
import { actionsFor, describeRun, describeWorker } from "../src/lib/status";
import { aboutDuration, shortDuration } from "../src/lib/format";
import { emptyState, reduce } from "../src/lib/events";

describe("describeRun", () => {
  it("says where a queued run waits", () => {
    expect(describeRun({ id: "1", status: "queued", position: 3, startsInSeconds: 720 })).toBe(
      "waiting for a GPU, position 3, about 12 min",
    );
    expect(describeRun({ id: "1", status: "queued", position: 1, startsInSeconds: 0 })).toBe(
      "waiting for a GPU, position 1, under a minute",
    );
    // no finished job yet to learn durations from: the place, but no guess at the wait
    expect(describeRun({ id: "1", status: "queued", position: 2 })).toBe("waiting for a GPU, position 2");
    expect(describeRun({ id: "1", status: "queued" })).toBe("waiting for a GPU");
  });
  it("says how training goes", () => {
    expect(
      describeRun({ id: "1", status: "running", phase: "training", step: 412, total: 800, secondsPerStep: 1.94, etaSeconds: 720 }),
    ).toBe("training 412/800, 1.9 s/step, 12 min left");
  });
  it("works out the time left when the server gives none", () => {
    expect(describeRun({ id: "1", status: "running", phase: "training", step: 400, total: 800, secondsPerStep: 1.5 })).toBe(
      "training 400/800, 1.5 s/step, 10 min left",
    );
  });
  it("counts generated images", () => {
    expect(describeRun({ id: "1", status: "running", phase: "generating", step: 14, total: 25, secondsPerStep: 3 })).toBe(
      "generating 14/25",
    );
  });
  it("words the server's run summaries as the runs page shows them", () => {
    let s = reduce(emptyState(), { type: "run", data: JSON.stringify({ runId: 4, status: "queued", position: 3, startsInSeconds: 724, version: 9 }) });
    expect(describeRun(s.runs["4"])).toBe("waiting for a GPU, position 3, about 12 min");
    s = reduce(s, { type: "run", data: JSON.stringify({ runId: 4, status: "running", kind: "TRAIN", phase: "training", step: 412, total: 800, secondsPerStep: 1.9, etaSeconds: 737, version: 10 }) });
    expect(describeRun(s.runs["4"])).toBe("training 412/800, 1.9 s/step, 12 min left");
    s = reduce(s, { type: "run", data: JSON.stringify({ runId: 4, status: "running", kind: "GENERATE", phase: "generating", step: 14, total: 25, secondsPerStep: 3.2, version: 11 }) });
    expect(describeRun(s.runs["4"])).toBe("generating 14/25");
    s = reduce(s, { type: "run", data: JSON.stringify({ runId: 4, status: "failed", kind: "GENERATE", phase: "generate", reason: "generate: CUDA out of memory", version: 12 }) });
    expect(describeRun(s.runs["4"])).toBe("failed: generate: CUDA out of memory");
    expect(actionsFor(s.runs["4"])).toEqual({ cancel: false, retry: true });
  });
  it("gives the failure reason", () => {
    expect(describeRun({ id: "1", status: "failed", reason: "CUDA out of memory" })).toBe("failed: CUDA out of memory");
    expect(describeRun({ id: "1", status: "FAILED" })).toBe("failed");
  });
  it("words the other states", () => {
    expect(describeRun({ id: "1", status: "done" })).toBe("done");
    expect(describeRun({ id: "1", status: "cancelled" })).toBe("cancelled");
    expect(describeRun({ id: "1", status: "running", phase: "priors", step: 2, total: 10 })).toBe("making prior images 2/10");
    expect(describeRun({ id: "1", status: "running" })).toBe("starting");
  });
});

describe("actionsFor", () => {
  it("offers cancel while active and retry after failure or cancel", () => {
    expect(actionsFor({ id: "1", status: "queued" })).toEqual({ cancel: true, retry: false });
    expect(actionsFor({ id: "1", status: "running" })).toEqual({ cancel: true, retry: false });
    expect(actionsFor({ id: "1", status: "failed" })).toEqual({ cancel: false, retry: true });
    expect(actionsFor({ id: "1", status: "cancelled" })).toEqual({ cancel: false, retry: true });
    expect(actionsFor({ id: "1", status: "done" })).toEqual({ cancel: false, retry: false });
  });
});

describe("describeWorker", () => {
  it("says which device runs what", () => {
    expect(describeWorker({ id: "w", device: "cuda:0", host: "gpu1", runId: "7", phase: "training" }, "Van Gogh x default")).toBe(
      "cuda:0 on gpu1: training Van Gogh x default",
    );
    expect(describeWorker({ id: "w", device: "cpu", host: "laptop" })).toBe("cpu on laptop: idle");
    expect(
      describeWorker({ id: "w", device: "cuda:1", host: "gpu2", memoryFree: 61 * 1024 ** 3, memoryTotal: 80 * 1024 ** 3, state: "busy" }),
    ).toBe("cuda:1 (61 of 80 GiB free) on gpu2: busy with another team's job");
  });
});

describe("durations", () => {
  it("rounds for people", () => {
    expect(aboutDuration(30)).toBe("under a minute");
    expect(aboutDuration(3900)).toBe("about 1 h 5 min");
    expect(shortDuration(40)).toBe("40 s");
    expect(shortDuration(7200)).toBe("2 h");
  });
});
