import { describe, expect, it } from "vitest";
import type { Figure } from "../context";
import { renderHtml } from "../report/html";
import type { BenchResults } from "../report/results";
import { renderTable } from "../report/table";
import { attachPeers } from "./scenarios";

const rate = (scenario: string, value: number, peer?: string): Figure => ({
  scenario,
  metric: "deliveries/s (8 in flight)",
  unit: "msg/s",
  value,
  floor: 10_000,
  floorLabel: "echo msgs/s",
  better: "higher",
  ...(peer ? { peer } : {}),
});

function run(): Figure[] {
  const figures = [
    rate("Channel, 1 to 1", 4000),
    rate("mosquitto 2.0.11: pub/sub, 1 to 1", 20_000, "mosquitto 2.0.11"),
    rate("NATS 2.9.10: pub/sub, 1 to 1", 80_000, "NATS 2.9.10"),
    { ...rate("API, within one app", 5000), metric: "calls/s (64 in flight)" },
    { ...rate("NATS 2.9.10: request/reply", 100_000, "NATS 2.9.10"), metric: "calls/s (64 in flight)" },
  ];
  attachPeers(figures);
  return figures;
}

describe("peer ratios", () => {
  it("gives each Nexus figure the value each peer measured for the same work and metric", () => {
    const [channel, , , api] = run();
    expect(channel!.peers).toEqual({ "mosquitto 2.0.11": 20_000, "NATS 2.9.10": 80_000 });
    expect(api!.peers).toEqual({ "NATS 2.9.10": 100_000 });
  });

  it("prints a ÷ column per peer in the table and the HTML report", () => {
    const results: BenchResults = {
      startedAt: "2026-12-01T07:00:00.000Z",
      durationMs: 1000,
      machine: { cpus: 2, cpuModel: "cpu", node: "v20", platform: "linux", loadAvgAtStart: [0], loadAvgAtEnd: [0] },
      options: { maxMs: 3000, scale: 1, connections: 10, peers: ["mosquitto 2.0.11", "NATS 2.9.10"] },
      runs: [{ placement: "shared", pinning: "client: core 0, workerd: core 0", figures: run(), skipped: [] }],
    };
    const table = renderTable(results);
    expect(table).toContain("÷ mosquitto 2.0.11");
    expect(table).toMatch(/Channel, 1 to 1\s+deliveries\/s \(8 in flight\)\s+4,000 msg\/s\s+10,000\s+0\.40x\s+0\.20x\s+0\.05x/);
    expect(table).toMatch(/API, within one app\s+calls\/s \(64 in flight\)\s+5,000 msg\/s\s+10,000\s+0\.50x\s+-\s+0\.05x/);
    const html = renderHtml(results);
    expect(html).toContain("<th>÷ NATS 2.9.10</th>");
    expect(html).toContain("<td>0.05x</td>");
  });
});
