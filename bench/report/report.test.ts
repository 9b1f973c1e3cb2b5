import { describe, expect, it } from "vitest";
import type { Figure } from "../context";
import { summarise } from "../stats";
import { renderHtml } from "./html";
import { type BenchResults, formatRatio, formatValue } from "./results";
import { furthestFromFloor, renderTable } from "./table";

const latency = summarise([0.2, 0.3, 0.4]);
const figures: Figure[] = [
  {
    scenario: "Baseline: DO WebSocket echo",
    metric: "msgs/s",
    unit: "msg/s",
    value: 20000,
    floor: 20000,
    floorLabel: "itself",
    better: "higher",
  },
  {
    scenario: "Direct, within one app",
    metric: "msgs/s",
    unit: "msg/s",
    value: 10000,
    floor: 20000,
    floorLabel: "echo msgs/s",
    better: "higher",
  },
  {
    scenario: "API, within one app",
    metric: "serial round trip p50",
    unit: "ms",
    value: 0.6,
    floor: 0.2,
    floorLabel: "2 echo round trips",
    better: "lower",
    latency,
    floorCurve: latency.curve.map((v) => v / 2),
  },
];
const results: BenchResults = {
  startedAt: "2026-11-22T05:00:00.000Z",
  durationMs: 1000,
  machine: {
    cpus: 2,
    cpuModel: "test <cpu>",
    node: "v20",
    platform: "linux",
    loadAvgAtStart: [0.1, 0, 0],
    loadAvgAtEnd: [0.2, 0, 0],
  },
  options: { maxMs: 3000, scale: 1, connections: 10 },
  runs: [
    { placement: "separate", pinning: "client: core 0, workerd: core 1", figures, skipped: ["Bridge: bridge not available"] },
    { placement: "shared", pinning: "client: core 0, workerd: core 0", figures: figures.slice(0, 2), skipped: [] },
  ],
};

describe("renderTable", () => {
  it("puts each figure beside its floor and ratio, per placement", () => {
    const table = renderTable(results);
    expect(table).toMatch(/Direct, within one app\s+msgs\/s\s+10,000 msg\/s\s+20,000\s+0\.50x\s+10,000 msg\/s\s+20,000\s+0\.50x/);
    expect(table).toMatch(/API, within one app\s+serial round trip p50\s+0\.600 ms\s+0\.200\s+3\.00x\s+-\s+-\s+-/);
    expect(table).toContain("skipped: Bridge: bridge not available");
  });

  it("orders rows by scenario, whichever placement measured them first", () => {
    const bridge: Figure = { ...figures[1]!, scenario: "Bridge, device API call" };
    const table = renderTable({ ...results, runs: [{ ...results.runs[0]!, figures: [bridge, ...figures] }] });
    const order = ["Baseline", "Direct", "API", "Bridge"].map((name) => table.indexOf(`\n${name}`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBeGreaterThan(0);
  });

  it("names the figure furthest from its floor, ignoring the baseline", () => {
    expect(furthestFromFloor(figures)?.scenario).toBe("API, within one app");
    expect(renderTable(results)).toContain("furthest from its floor: API, within one app, serial round trip p50 (3.0x");
  });
});

describe("renderHtml", () => {
  it("is self-contained: inline SVG charts, no scripts, no external references, text escaped", () => {
    const html = renderHtml(results);
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(3);
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain("test &lt;cpu&gt;");
  });
});

describe("formatting", () => {
  it("groups rates and rounds milliseconds", () => {
    expect(formatValue(16591.7, "msg/s")).toBe("16,592");
    expect(formatValue(0.16937, "ms")).toBe("0.169");
    expect(formatValue(26.23, "ms")).toBe("26.2");
    expect(formatValue(Number.NaN, "ms")).toBe("n/a");
    expect(formatRatio(0.5)).toBe("0.50x");
  });
});
