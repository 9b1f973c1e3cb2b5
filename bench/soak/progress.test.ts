import { describe, expect, it } from "vitest";
import { ProgressBar } from "./progress";
import { SoakMetrics } from "./soak-metrics";

const sample = (t: number) => new SoakMetrics().sample(t, { rssMiB: 120, rssAllMiB: 180, edgeCpuPct: 40, clientCpuPct: 30 });

describe("ProgressBar", () => {
  it("redraws one line on a terminal", () => {
    const out: string[] = [];
    const bar = new ProgressBar({ isTTY: true, write: (t) => out.push(t) }, 60);
    bar.update(sample(30));
    bar.update(sample(31));
    bar.done();
    expect(out).toHaveLength(3);
    expect(out[0]?.startsWith("\r\u001b[2K[############............] 0:30/1:00  conns 0  calls/s 0")).toBe(true);
    expect(out[2]).toBe("\n");
  });

  it("writes a plain line now and then elsewhere (CI, a pipe)", () => {
    const out: string[] = [];
    const bar = new ProgressBar({ isTTY: false, write: (t) => out.push(t) }, 600, 30);
    for (let t = 1; t <= 61; t++) bar.update(sample(t));
    bar.done();
    expect(out).toEqual([expect.stringMatching(/^soak 0:01\/10:00 .*RSS 120 MiB.*\n$/), expect.anything(), expect.anything()]);
    expect(out.every((line) => !line.includes("\r"))).toBe(true);
  });
});
