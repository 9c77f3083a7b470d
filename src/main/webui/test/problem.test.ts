import { describe, expect, it } from "vitest";
import { parseProblem, placeProblem } from "../src/lib/problem";

const files = ["images/boat.png", "images/cow.png", "prompt.json"];

describe("placeProblem", () => {
  it("uses the file the problem names", () => {
    expect(placeProblem({ status: 400, detail: "not a PNG or JPEG", file: "cow.png" }, files)).toEqual({
      file: "images/cow.png",
      message: "not a PNG or JPEG",
    });
  });
  it("reads the studio's subject field", () => {
    expect(placeProblem({ status: 400, title: "Upload rejected", detail: "not a PNG or JPEG image", subject: "boat.png" }, files).file).toBe(
      "images/boat.png",
    );
  });
  it("finds the file in the detail text", () => {
    expect(placeProblem({ status: 400, title: "Bad upload", detail: "prompt.json: prompt \"3\" is empty" }, files).file).toBe("prompt.json");
  });
  it("leaves request-wide problems unplaced", () => {
    expect(placeProblem({ status: 413, title: "Payload too large" }, files)).toEqual({ file: null, message: "Payload too large" });
  });
});

describe("parseProblem", () => {
  it("reads problem+json", () => {
    expect(parseProblem(400, "application/problem+json", '{"title":"Bad","detail":"boat.png is truncated"}')).toEqual({
      status: 400,
      title: "Bad",
      detail: "boat.png is truncated",
    });
  });
  it("falls back to the text of an HTML page", () => {
    expect(parseProblem(502, "text/html", "<h1>Bad gateway</h1>")).toEqual({ status: 502, title: "Bad gateway" });
  });
});
