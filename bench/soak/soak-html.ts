import { formatValue } from "../report/results";
import { type SoakResults, soakProblems, summariseSoak } from "./soak-results";
import { PALETTE, timeChart } from "./time-chart";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const ms = (v: number) => `${formatValue(v, "ms")} ms`;
const n = (v: number) => formatValue(v, "");

/**
 * The soak's self-contained HTML report: the verdict, the canaries' counts, the churn's totals, and
 * charts over time (connections, calls/s, deliveries/s, latency p50/p99, errors by code, workerd RSS).
 * Inline SVG and CSS only, so it opens offline.
 *
 * @example
 * ```ts
 * writeFileSync("bench-results/soak.html", renderSoakHtml(results));
 * ```
 */
export function renderSoakHtml(r: SoakResults): string {
  const problems = soakProblems(r);
  const sum = summariseSoak(r);
  const t = r.samples.map((s) => s.t);
  const col = (pick: (s: SoakResults["samples"][number]) => number) => r.samples.map(pick);
  const codes = Object.entries(r.churn.errors)
    .sort((a, b) => b[1] - a[1])
    .slice(0, PALETTE.length)
    .map(([code]) => code);
  const charts = [
    timeChart("Connections open (churning)", "connections", t, [
      { name: "open", color: PALETTE[0]!, values: col((s) => s.connections) },
    ]),
    timeChart("Rates", "per second", t, [
      { name: "API calls answered", color: PALETTE[0]!, values: col((s) => s.callsPerSec) },
      { name: "channel deliveries", color: PALETTE[3]!, values: col((s) => s.deliveriesPerSec) },
      { name: "publishes acked", color: PALETTE[4]!, values: col((s) => s.publishesPerSec) },
      { name: "connects", color: PALETTE[1]!, values: col((s) => s.connectsPerSec) },
    ]),
    timeChart("API call latency", "ms", t, [
      { name: "p50", color: PALETTE[0]!, values: col((s) => s.callP50) },
      { name: "p99", color: PALETTE[2]!, values: col((s) => s.callP99) },
    ]),
    timeChart("Publish to delivery latency", "ms", t, [
      { name: "p50", color: PALETTE[0]!, values: col((s) => s.deliveryP50) },
      { name: "p99", color: PALETTE[2]!, values: col((s) => s.deliveryP99) },
    ]),
    timeChart(
      "Errors the churners got, by code",
      "per second",
      t,
      codes.map((code, i) => ({ name: code, color: PALETTE[i]!, values: col((s) => s.errors[code] ?? 0) })),
    ),
    timeChart("CPU", "% of one core", t, [
      { name: "edge runtime (workerd)", color: PALETTE[0]!, values: col((s) => s.edgeCpuPct) },
      { name: "the soak's clients (this process)", color: PALETTE[4]!, values: col((s) => s.clientCpuPct) },
    ]),
    timeChart("workerd memory (VmRSS)", "MiB", t, [
      { name: "edge runtime", color: PALETTE[0]!, values: col((s) => s.rssMiB) },
      { name: "every workerd of the stack", color: PALETTE[1]!, values: col((s) => s.rssAllMiB) },
    ]),
  ];
  const api = r.canaries.api;
  const ch = r.canaries.channel;
  const rows = (pairs: [string, string][]) => pairs.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join("");
  const errors = (e: Record<string, number>) =>
    Object.entries(e)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "none";
  const subscribers = ch.subscribers
    .map(
      (s) =>
        `<tr><td>${esc(s.kind)}</td><td>${n(s.got)}</td><td>${n(s.lost)}</td><td>${n(s.missedWhileAway)}</td><td>${n(s.duplicated)}</td><td>${n(s.outOfOrder)}</td><td>${n(s.seqGaps)}</td><td>${n(s.reconnects)}</td><td>${n(s.recovered)}</td></tr>`,
    )
    .join("");
  const c = r.churn;
  const m = r.machine;
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Nexus soak ${esc(r.startedAt)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1200px}table{border-collapse:collapse;margin:8px 0}
td,th{border-bottom:1px solid #d0d7de;padding:4px 10px;text-align:right;white-space:nowrap}td:first-child,th:first-child{text-align:left}
svg{font:11px system-ui,sans-serif;margin:6px 12px 6px 0}.charts{display:flex;flex-wrap:wrap}.bad{color:#cf222e}.good{color:#1a7f37}</style>
</head><body><h1>Nexus soak</h1>
<p>${esc(r.startedAt)}, ${(r.durationMs / 1000).toFixed(0)} s of churn with ${n(r.plan.connections)} connections; ${m.cpus} × ${esc(m.cpuModel)}; Node ${esc(m.node)};
load average ${load(m.loadAvgAtStart)} at start, ${load(m.loadAvgAtEnd)} at end.</p>
${problems.length ? `<p class="bad"><b>Failed.</b></p><ul class="bad">${problems.map((p) => `<li>${esc(p)}</li>`).join("")}</ul>` : `<p class="good"><b>Passed:</b> the canaries lost nothing and the stack stayed up.</p>`}
<h2>Figures</h2><table><tbody>${rows([
    ["connections held (mean after the ramp)", n(sum.connectionsHeld)],
    ["API calls answered per second", n(sum.callsPerSec)],
    ["channel deliveries per second", n(sum.deliveriesPerSec)],
    ["publishes per second", n(sum.publishesPerSec)],
    ["API call latency p50 / p99 / max", `${ms(c.callLatency.p50)} / ${ms(c.callLatency.p99)} / ${ms(c.callLatency.max)}`],
    [
      "publish to delivery p50 / p99 / max",
      `${ms(c.deliveryLatency.p50)} / ${ms(c.deliveryLatency.p99)} / ${ms(c.deliveryLatency.max)}`,
    ],
    [
      "edge runtime RSS start / end / max",
      `${sum.rssStartMiB.toFixed(0)} / ${sum.rssEndMiB.toFixed(0)} / ${sum.rssMaxMiB.toFixed(0)} MiB`,
    ],
    ["connects / closes / drops (SDK reconnected)", `${n(c.connects)} / ${n(c.closes)} / ${n(c.drops)} (${n(c.reconnects)})`],
    [
      "resubscribes after a reconnect: recovered / not recovered",
      `${n(c.resubscribes.recovered)} / ${n(c.resubscribes.notRecovered)}`,
    ],
    ["live seq jumps a churner saw while subscribed", n(c.seqJumps)],
    ["churn errors by code", errors(c.errors)],
  ])}</tbody></table>
<h2>Canaries</h2>
<h3>API: numbered calls to one worker</h3><table><tbody>${rows([
    ["sent", n(api.sent)],
    ["answered ok with their own number", n(api.ok)],
    ["lost (missing, wrong, or timed out)", n(api.lost)],
    ["errors by code", errors(api.errors)],
    [
      "worker got / duplicated / out of order",
      `${n(api.worker.got)} / ${n(api.worker.duplicated)} / ${n(api.worker.outOfOrder)}`,
    ],
    ["reconnects", n(api.reconnects)],
    ["latency p50 / p99 / max", `${ms(api.latency.p50)} / ${ms(api.latency.p99)} / ${ms(api.latency.max)}`],
  ])}</tbody></table>
<h3>Channel: numbered messages from one publisher</h3><table><tbody>${rows([
    ["acked publishes", n(ch.sent)],
    ["refused publishes by code", errors(ch.refused)],
    ["uncertain (ack lost with the publisher's socket)", n(ch.uncertain)],
    ["publisher reconnects", n(ch.publisherReconnects)],
  ])}</tbody></table>
<table><thead><tr><th>subscriber</th><th>got</th><th>lost</th><th>missed while away</th><th>duplicated</th><th>out of order</th><th>seq gaps</th><th>reconnects</th><th>recovered</th></tr></thead><tbody>${subscribers}</tbody></table>
<h2>Over time</h2><div class="charts">${charts.join("\n")}</div>
</body></html>
`;
}
