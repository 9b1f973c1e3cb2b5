import { costFactor, type Figure } from "../context";
import { type BenchResults, formatRatio, formatValue } from "./results";

const SCENARIO_ORDER = [
  "Baseline",
  "Direct",
  "API",
  "Channel, 1 to 1\u0000",
  "Channel, 1 to 1 across apps",
  "Channel, 1 to 100\u0000",
  "Channel, 1 to 1,000",
  "Connections",
  "Bridge",
  "",
];

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
}

/**
 * Renders the results as a plain-text table: one row per figure, and for each placement of
 * server and client the value, the floor from the same run, and value ÷ floor.
 *
 * @example
 * ```ts
 * console.log(renderTable(results));
 * ```
 */
export function renderTable(results: BenchResults): string {
  const keys: string[] = [];
  const byKey = new Map<string, Map<string, Figure>>();
  for (const run of results.runs) {
    for (const f of run.figures) {
      const key = `${f.scenario}\u0000${f.metric}`;
      if (!byKey.has(key)) {
        keys.push(key);
        byKey.set(key, new Map());
      }
      byKey.get(key)!.set(run.placement, f);
    }
  }
  // Scenarios in the order of the issue, whichever placement happened to measure a row first.
  const rank = (key: string) => SCENARIO_ORDER.findIndex((prefix) => key.startsWith(prefix));
  keys.sort((a, b) => rank(a) - rank(b));
  const peers = peerNames(results);
  const header = ["Scenario", "Metric"];
  for (const run of results.runs) header.push(`${run.placement}: value`, "floor", "÷ floor", ...peers.map((p) => `÷ ${p}`));
  const rows = keys.map((key) => {
    const [scenario, metric] = key.split("\u0000") as [string, string];
    const cells = [scenario, metric];
    for (const run of results.runs) {
      const f = byKey.get(key)!.get(run.placement);
      if (!f) cells.push("-", "-", "-", ...peers.map(() => "-"));
      else
        cells.push(
          `${formatValue(f.value, f.unit)} ${f.unit}`,
          formatValue(f.floor, f.unit),
          formatRatio(f.value / f.floor),
          ...peers.map((p) => (f.peers?.[p] === undefined ? "-" : formatRatio(f.value / f.peers[p]!))),
        );
    }
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const lines = [pad(header, widths), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map((r) => pad(r, widths))];
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  lines.push("", `load average at start: ${load(results.machine.loadAvgAtStart)}, at end: ${load(results.machine.loadAvgAtEnd)}`);
  for (const run of results.runs) {
    lines.push("", `${run.placement}: ${run.pinning}`);
    for (const s of run.skipped) lines.push(`  skipped: ${s}`);
    const worst = furthestFromFloor(run.figures);
    if (worst) {
      lines.push(
        `  furthest from its floor: ${worst.scenario}, ${worst.metric} (${costFactor(worst).toFixed(1)}x the floor's cost)`,
      );
    }
  }
  return lines.join("\n");
}

/**
 * The peer servers measured in a run (`--peers`), in the order they first appear.
 *
 * @example
 * ```ts
 * peerNames(results); // ["mosquitto 2.0.11", "NATS 2.9.10"]
 * ```
 */
export function peerNames(results: BenchResults): string[] {
  const names = new Set<string>();
  for (const run of results.runs) for (const f of run.figures) if (f.peer) names.add(f.peer);
  return [...names];
}

/**
 * The figure with the largest cost relative to its floor (baseline rows, which are their own floor, excluded).
 *
 * @example
 * ```ts
 * furthestFromFloor(run.figures)?.scenario; // "Channel, 1 to 1,000"
 * ```
 */
export function furthestFromFloor(figures: readonly Figure[]): Figure | undefined {
  let worst: Figure | undefined;
  for (const f of figures) {
    if (f.scenario.startsWith("Baseline") || f.peer || !Number.isFinite(costFactor(f))) continue;
    if (!worst || costFactor(f) > costFactor(worst)) worst = f;
  }
  return worst;
}
