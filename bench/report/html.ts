import { costFactor, type Figure } from "../context";
import { type BenchResults, formatRatio, formatValue } from "./results";
import { peerNames } from "./table";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const NEXUS = "#1f6feb";
const FLOOR = "#8c959f";

/**
 * A latency-by-percentile chart: Nexus' curve and its floor's, percentile 0-99 on x, milliseconds on y.
 * The top percentile is left out so one stray sample does not flatten the chart.
 *
 * @example
 * ```ts
 * latencyChart("API: serial round trip", figure.latency.curve, figure.floorCurve);
 * ```
 */
export function latencyChart(title: string, nexus: readonly number[], floor: readonly number[] | undefined): string {
  const W = 460;
  const H = 240;
  const L = 54;
  const B = 34;
  const T = 26;
  const R = 12;
  const shown = (c: readonly number[]) => c.slice(0, 100);
  const yMax = Math.max(...shown(nexus), ...(floor ? shown(floor) : [0])) * 1.08 || 1;
  const x = (p: number) => L + (p / 99) * (W - L - R);
  const y = (v: number) => H - B - (v / yMax) * (H - B - T);
  const path = (c: readonly number[]) =>
    shown(c)
      .map((v, p) => `${p === 0 ? "M" : "L"}${x(p).toFixed(1)},${y(v).toFixed(1)}`)
      .join("");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
  const grid = ticks
    .map(
      (v) =>
        `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#eaeef2"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(v < 1 ? 3 : 2)}</text>`,
    )
    .join("");
  const xTicks = [0, 25, 50, 75, 90, 99]
    .map((p) => `<text x="${x(p)}" y="${H - B + 16}" text-anchor="middle">p${p}</text>`)
    .join("");
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">
<text x="${L}" y="16" font-weight="600">${esc(title)}</text>${grid}${xTicks}
<text x="${L}" y="${H - 4}">percentile; latency in ms</text>
${floor ? `<path d="${path(floor)}" fill="none" stroke="${FLOOR}" stroke-width="2" stroke-dasharray="5 3"/>` : ""}
<path d="${path(nexus)}" fill="none" stroke="${NEXUS}" stroke-width="2"/>
<rect x="${L + 10}" y="${T}" width="10" height="3" fill="${NEXUS}"/><text x="${L + 24}" y="${T + 5}">${floor ? "Nexus" : "echo"}</text>
${floor ? `<rect x="${L + 10}" y="${T + 14}" width="10" height="3" fill="${FLOOR}"/><text x="${L + 24}" y="${T + 19}">floor (echo)</text>` : ""}
</svg>`;
}

/**
 * Horizontal bars: each throughput figure against its floor.
 *
 * @example
 * ```ts
 * const svg = throughputChart(run.figures.filter((f) => f.better === "higher"));
 * ```
 */
export function throughputChart(figures: readonly Figure[]): string {
  const rowH = 34;
  const L = 360;
  const W = 900;
  const H = figures.length * rowH + 30;
  const bars = figures
    .map((f, i) => {
      const max = Math.max(f.value, f.floor) || 1;
      const w = (v: number) => ((W - L - 170) * v) / max;
      const top = 20 + i * rowH;
      return `<text x="${L - 8}" y="${top + 14}" text-anchor="end">${esc(`${f.scenario}: ${f.metric}`)}</text>
<rect x="${L}" y="${top}" width="${w(f.value).toFixed(1)}" height="12" fill="${NEXUS}"/>
<text x="${L + w(f.value) + 6}" y="${top + 10}">${formatValue(f.value, f.unit)} ${esc(f.unit)} (${formatRatio(f.value / f.floor)})</text>
<rect x="${L}" y="${top + 14}" width="${w(f.floor).toFixed(1)}" height="8" fill="${FLOOR}"/>`;
    })
    .join("\n");
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="throughput against floors">${bars}</svg>`;
}

/**
 * The self-contained HTML report: the table, throughput bars and latency curves for each placement.
 * Inline SVG and CSS only, no scripts or CDN, so the file opens offline.
 *
 * @example
 * ```ts
 * writeFileSync("bench.html", renderHtml(results));
 * ```
 */
export function renderHtml(results: BenchResults): string {
  const peers = peerNames(results);
  const peerCells = (f: Figure) =>
    peers.map((p) => `<td>${f.peers?.[p] === undefined ? "-" : formatRatio(f.value / f.peers[p]!)}</td>`).join("");
  const sections = results.runs
    .map((run) => {
      const rows = run.figures
        .map(
          (f) =>
            `<tr><td>${esc(f.scenario)}</td><td>${esc(f.metric)}</td><td>${formatValue(f.value, f.unit)} ${esc(f.unit)}</td><td>${formatValue(f.floor, f.unit)}</td><td>${esc(f.floorLabel)}</td><td>${formatRatio(f.value / f.floor)}</td><td>${costFactor(f).toFixed(2)}</td>${peerCells(f)}</tr>`,
        )
        .join("\n");
      const rates = run.figures.filter((f) => f.better === "higher" && !f.scenario.startsWith("Baseline") && !f.peer);
      const curves = run.figures
        .filter((f) => f.latency)
        .map((f) => latencyChart(`${f.scenario}: ${f.metric.replace(/ p50$/, "")}`, f.latency!.curve, f.floorCurve))
        .join("\n");
      const skipped = run.skipped.map((s) => `<p class="skip">Skipped: ${esc(s)}</p>`).join("");
      return `<section><h2>${esc(run.placement)} cores <small>${esc(run.pinning)}</small></h2>${skipped}
<table><thead><tr><th>Scenario</th><th>Metric</th><th>Nexus</th><th>Floor</th><th>Floor is</th><th>÷ floor</th><th>Cost vs floor</th>${peers.map((p) => `<th>÷ ${esc(p)}</th>`).join("")}</tr></thead>
<tbody>${rows}</tbody></table>
<h3>Throughput (blue) against its floor (grey)</h3>${throughputChart(rates)}
<h3>Latency distributions</h3><div class="charts">${curves}</div></section>`;
    })
    .join("\n");
  const m = results.machine;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Nexus bench ${esc(results.startedAt)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1200px}table{border-collapse:collapse;margin:8px 0}
td,th{border-bottom:1px solid #d0d7de;padding:4px 10px;text-align:right;white-space:nowrap}td:nth-child(-n+2),th:nth-child(-n+2){text-align:left}
svg{font:11px system-ui,sans-serif;margin:6px 12px 6px 0}.charts{display:flex;flex-wrap:wrap}.skip{color:#9a6700}small{color:#57606a;font-weight:400}</style>
</head><body><h1>Nexus bench</h1>
<p>${esc(results.startedAt)}, ${(results.durationMs / 1000).toFixed(0)} s; ${m.cpus} × ${esc(m.cpuModel)}; Node ${esc(m.node)};
load average ${m.loadAvgAtStart.map((x) => x.toFixed(2)).join(" ")} at start, ${m.loadAvgAtEnd.map((x) => x.toFixed(2)).join(" ")} at end.
Every figure stands beside its floor, measured in the same run against a bare Durable Object WebSocket echo in the same workerd.
"÷ floor" is Nexus divided by the floor; "cost vs floor" is how many times worse than the floor (1.00 = as good as the bare echo).
${peers.length ? `"÷ <i>peer</i>" is Nexus divided by what that peer server measured for the same work in the same run, on the same cores (its own rows are at the end of each table).` : ""}</p>
${sections}</body></html>
`;
}
