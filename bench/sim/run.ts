import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { replicateBench } from "./bench-replica";
import { MEASURED } from "./calibration";
import { calibratedCosts } from "./fit";
import { LOADS } from "./loads";
import { type Check, runLoad, saturation } from "./measure";
import { type LoadResult, renderSimHtml, type Saturation, type SimResults } from "./report";

/**
 * `npm run sim`: the bench replicas (calibration), then the four loads through today's design and the
 * proposed one at several multipliers; writes the JSON and the HTML report and prints a summary.
 * Options: `--json <file>` (default bench-results/sim.json), `--html <file>` (bench-results/sim.html),
 * `--seed <n>` (default 19), `--quick` (only the nominal size).
 */
const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const seed = Number(opt("--seed", "19"));
const mults = args.includes("--quick") ? [1] : [0.5, 1, 2, 4];
const started = Date.now();
const costs = calibratedCosts();
const replica = replicateBench(costs);
const sat = (s: { mult: number; check: Check | undefined }): Saturation => ({
  mult: s.mult,
  limit: s.check && Number.isFinite(s.mult) ? s.check.limit : null,
  where: s.check && Number.isFinite(s.mult) ? s.check.where : null,
});
const loads: LoadResult[] = LOADS.map((l) => ({
  id: l.id,
  title: l.title,
  scales: l.scales,
  designs: (["today", "design"] as const).map((name) => {
    const runs = mults.map((m) => runLoad(costs, l[name], m, seed));
    // The ceiling of the traffic alone (CPU, quotas), as if connections were not capped.
    const perConnection = ["WebSockets per object", "isolate memory", "ephemeral ports to the edge"];
    const next = sat(saturation(runs, (c) => perConnection.includes(c.limit)));
    return { name, runs, saturation: sat(saturation(runs)), next };
  }),
}));
const results: SimResults = {
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  seed,
  calibrationSource: MEASURED.source,
  costs,
  replica,
  loads,
};
const jsonPath = opt("--json", "bench-results/sim.json");
const htmlPath = opt("--html", "bench-results/sim.html");
for (const p of [jsonPath, htmlPath]) mkdirSync(dirname(p), { recursive: true });
writeFileSync(jsonPath, JSON.stringify(results, null, 1));
writeFileSync(htmlPath, renderSimHtml(results));

const pct = (a: number, b: number) => `${((a / b - 1) * 100).toFixed(1)} %`;
console.log("calibration (model vs npm run bench):");
for (const f of replica)
  console.log(
    `  ${f.scenario.padEnd(42)} ${pct(f.simulated, f.measured).padStart(8)}${f.derivedFrom ? "" : "  (out of sample)"}`,
  );
for (const l of loads) {
  console.log(`\n${l.id}: ${l.title}`);
  for (const d of l.designs) {
    const n = d.runs.find((r) => r.mult === 1) ?? d.runs[0]!;
    const s = (x: Saturation) => (x.limit === null ? "none along this axis" : `${x.mult.toFixed(2)}x (${x.limit}, ${x.where})`);
    console.log(`  ${d.name.padEnd(6)} ${n.sizing}`);
    const q = n.queuesGrow ? " (queues grow: rising)" : "";
    console.log(
      `         p50 ${n.p50.toFixed(2)} ms, p99 ${n.p99.toFixed(2)} ms${q}; CPU headroom ${n.cpuHeadroom.toFixed(1)}x the rate`,
    );
    console.log(`         saturates at ${s(d.saturation)}; the traffic alone (CPU, quotas): ${s(d.next)}`);
  }
}
console.log(`\nwrote ${jsonPath} and ${htmlPath} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
