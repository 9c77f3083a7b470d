import { describe, expect, it } from "vitest";
import { fileNameProblem, objectNameFromFile } from "../src/lib/names";

describe("objectNameFromFile", () => {
  it.each([
    ["boat.png", "boat"],
    ["cypress_tree.png", "cypress tree"],
    ["wallet_.png", "wallet"],
    ["Dog_02.jpg", "Dog"],
    ["sun_flower__12.jpeg", "sun flower"],
    ["images/olive_tree.png", "olive tree"],
    ["C:\\style\\star3.PNG", "star"],
    ["no_extension", "no extension"],
    [".png", ".png"],
    ["cypress_tree2.jpg", "cypress tree"],
    ["big  cat _ 3.png", "big cat"],
  ])("%s -> %s", (file, name) => {
    expect(objectNameFromFile(file)).toBe(name);
  });

  it("keeps digits inside a name", () => {
    expect(objectNameFromFile("r2d2_robot.png")).toBe("r2d2 robot");
  });

  it("gives an empty name when the stem is only digits", () => {
    expect(objectNameFromFile("0001.png")).toBe("");
  });
});

describe("fileNameProblem", () => {
  it("accepts ordinary prompts", () => {
    expect(fileNameProblem("Dolphin")).toBeNull();
    expect(fileNameProblem("Ice cream")).toBeNull();
  });
  it("names what is wrong", () => {
    expect(fileNameProblem("")).toBe("is empty");
    expect(fileNameProblem("..")).toMatch(/must not contain '\.\.'/);
    expect(fileNameProblem(" Moon")).toMatch(/white space/);
    expect(fileNameProblem("a/b")).toMatch(/"\/"/);
    expect(fileNameProblem("x".repeat(200))).toMatch(/longer/);
  });
});
