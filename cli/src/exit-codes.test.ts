import { describe, expect, it } from "vitest";
import { EXIT_CODE_MEANINGS, ExitCode, exitCodeFor, exitCodeHelp } from "./exit-codes";

describe("exitCodeFor", () => {
  it("gives the four conditions scripts branch on distinct codes", () => {
    const codes = ["timeout", "no_responders", "forbidden", "not_found"].map(exitCodeFor);
    expect(new Set(codes).size).toBe(4);
    expect(codes).not.toContain(ExitCode.error);
  });

  it("maps unknown and generic wire codes to 1", () => {
    expect(exitCodeFor("internal")).toBe(1);
    expect(exitCodeFor("something_new")).toBe(1);
    expect(exitCodeFor("ok")).toBe(1);
  });
});

describe("exitCodeHelp", () => {
  it("lists every code once", () => {
    const help = exitCodeHelp();
    for (const [code] of EXIT_CODE_MEANINGS) expect(help).toMatch(new RegExp(`^\\s+${code}\\s`, "m"));
    expect(new Set(EXIT_CODE_MEANINGS.map(([c]) => c)).size).toBe(EXIT_CODE_MEANINGS.length);
  });
});
