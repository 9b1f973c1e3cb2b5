import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli-process";

describe("nexus bench", () => {
  it("runs every scenario against its own stack and reports each beside its floor", { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "nexus-bench-"));
    const jsonFile = join(dir, "bench.json");
    const htmlFile = join(dir, "bench.html");
    const args = ["bench", "--quick", "--placements", "shared", "--connections", "200", "--max-ms", "300"];
    const r = await runCli([...args, "--json-file", jsonFile, "--html", htmlFile]);
    expect(r.code).toBe(0);
    for (const row of [
      "Baseline: DO WebSocket echo",
      "Direct, within one app",
      "API, across apps",
      "Channel, 1 to 1,000",
      "Connections",
    ]) {
      expect(r.stdout).toContain(row);
    }
    const results = JSON.parse(readFileSync(jsonFile, "utf8"));
    expect(results.runs).toHaveLength(1);
    const run = results.runs[0];
    expect(run.skipped.filter((s: string) => !s.startsWith("Bridge"))).toEqual([]);
    for (const f of run.figures) {
      // Memory per connection is a difference of two RSS readings: finite, but not necessarily positive for 200 sockets.
      if (f.unit === "KiB") expect(Number.isFinite(f.value) && Number.isFinite(f.floor)).toBe(true);
      else expect([f.value > 0, f.floor > 0]).toEqual([true, true]);
    }
    const html = readFileSync(htmlFile, "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});
