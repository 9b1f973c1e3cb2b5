import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startOrphanGuard } from "../../scripts/orphan-guard";
import { ProgressBar } from "./progress";
import { runSoak } from "./soak";
import { renderSoakHtml } from "./soak-html";
import { soakProblems, summariseSoak } from "./soak-results";

// npm run soak -- [--minutes 10] [--seconds S] [--connections 1000] [--out bench-results] [--canary-rate 20]
//                  [--call-every-ms 5000] [--publish-every-ms 15000]
// Exits 1 if a canary lost, duplicated or reordered anything, or the stack crashed.
const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "1" },
    seconds: { type: "string" },
    connections: { type: "string", default: "100" },
    out: { type: "string", default: "bench-results" },
    "canary-rate": { type: "string", default: "20" },
    "call-every-ms": { type: "string" },
    "publish-every-ms": { type: "string" },
  },
});
const durationMs = values.seconds ? Number(values.seconds) * 1000 : Number(values.minutes) * 60_000;
const connections = Number(values.connections);
if (!(durationMs > 0) || !(connections > 0)) {
  console.error("usage: npm run soak -- --minutes N --connections K");
  process.exit(2);
}

// However this process ends, the workerd processes it starts end with it.
const guard = startOrphanGuard();
const bar = new ProgressBar(process.stderr, durationMs / 1000);
const results = await runSoak({
  durationMs,
  connections,
  canaryRatePerSec: Number(values["canary-rate"]),
  plan: {
    ...(values["call-every-ms"] ? { callEveryMs: Number(values["call-every-ms"]) } : {}),
    ...(values["publish-every-ms"] ? { publishEveryMs: Number(values["publish-every-ms"]) } : {}),
  },
  log: (line) => {
    guard.rescan();
    console.error(line);
  },
  onSample: (s) => bar.update(s),
});
bar.done();

const stamp = results.startedAt.replace(/[:.]/g, "-");
mkdirSync(values.out, { recursive: true });
const files = [join(values.out, `soak-${stamp}.json`), join(values.out, `soak-${stamp}.html`)];
writeFileSync(files[0]!, `${JSON.stringify(results, null, 1)}\n`);
writeFileSync(files[1]!, renderSoakHtml(results));
writeFileSync(join(values.out, "soak-latest.json"), `${JSON.stringify(results, null, 1)}\n`);
writeFileSync(join(values.out, "soak-latest.html"), renderSoakHtml(results));

const sum = summariseSoak(results);
const { churn, canaries } = results;
const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
const byCode = (e: Record<string, number>) =>
  Object.entries(e)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ") || "none";
const lines = [
  `soak: ${(results.durationMs / 1000).toFixed(0)} s, ${connections} connections (held ${fmt(sum.connectionsHeld)} on average after the ramp)`,
  `  calls/s ${fmt(sum.callsPerSec)}, deliveries/s ${fmt(sum.deliveriesPerSec)}, publishes/s ${fmt(sum.publishesPerSec)}`,
  `  API call p50 ${fmt(churn.callLatency.p50, 2)} ms, p99 ${fmt(churn.callLatency.p99, 2)} ms; delivery p50 ${fmt(churn.deliveryLatency.p50, 2)} ms, p99 ${fmt(churn.deliveryLatency.p99, 2)} ms`,
  `  edge runtime RSS ${fmt(sum.rssStartMiB, 0)} MiB at start, ${fmt(sum.rssEndMiB, 0)} MiB at end (max ${fmt(sum.rssMaxMiB, 0)})`,
  `  churn: ${churn.connects} connects, ${churn.closes} closes, ${churn.drops} drops (${churn.reconnects} SDK reconnects, resubscribes ${churn.resubscribes.recovered} recovered and ${churn.resubscribes.notRecovered} not, ${churn.seqJumps} seq jumps); errors: ${byCode(churn.errors)}`,
  `  API canary: ${canaries.api.sent} sent, ${canaries.api.ok} ok, ${canaries.api.lost} lost, errors: ${byCode(canaries.api.errors)}; worker duplicated ${canaries.api.worker.duplicated}`,
  `  channel canary: ${canaries.channel.sent} acked, ${canaries.channel.uncertain} uncertain; ${canaries.channel.subscribers
    .map(
      (s) =>
        `${s.kind}: got ${s.got}, lost ${s.lost}, away ${s.missedWhileAway}, dup ${s.duplicated}, out of order ${s.outOfOrder}, reconnects ${s.reconnects} (${s.recovered} recovered)`,
    )
    .join("; ")}`,
  `  load average ${results.machine.loadAvgAtStart.map((x) => x.toFixed(2)).join(" ")} at start, ${results.machine.loadAvgAtEnd.map((x) => x.toFixed(2)).join(" ")} at end`,
  `  wrote ${files.join(" and ")}`,
];
console.log(lines.join("\n"));
const problems = soakProblems(results);
for (const p of problems) console.error(`soak FAILED: ${p}`);
process.exit(problems.length > 0 ? 1 : 0);
