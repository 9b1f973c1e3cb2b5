import type { ReplicaFigure } from "./bench-replica";
import type { Costs } from "./calibration";
import type { RunResult } from "./measure";

/** Everything `npm run sim` found; what it writes as JSON. */
export interface SimResults {
  startedAt: string;
  durationMs: number;
  seed: number;
  calibrationSource: string;
  costs: Costs;
  replica: ReplicaFigure[];
  loads: LoadResult[];
}

export interface LoadResult {
  id: string;
  title: string;
  scales: string;
  designs: { name: "today" | "design"; runs: RunResult[]; saturation: Saturation; next: Saturation }[];
}

/** A multiplier of the load, and the limit it reaches there (none: nothing grows with the load). */
export interface Saturation {
  mult: number;
  limit: string | null;
  where: string | null;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const TODAY = "#8c959f";
const DESIGN = "#1f6feb";
const LIMIT = "#cf222e";
const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toLocaleString("en", { maximumFractionDigits: d }) : "n/a");
const satText = (s: Saturation, nominal: string) =>
  s.limit === null ? "none along this axis" : `${fmt(s.mult)}x (${esc(nominal)}): ${esc(s.limit)}, ${esc(s.where ?? "")}`;

/**
 * Bars of CPU utilisation per object role, today (grey) beside the design (blue), at the nominal load;
 * the red line is one full thread. Bars past 2.0 are cut there.
 *
 * @example
 * ```ts
 * utilisationChart("L2", todayRun, designRun);
 * ```
 */
export function utilisationChart(title: string, today: RunResult, design: RunResult): string {
  const rows = [
    ...today.groups.map((g) => ({ name: `today: ${g.label}`, v: g.utilisation, color: TODAY })),
    ...design.groups.map((g) => ({ name: `design: ${g.label}`, v: g.utilisation, color: DESIGN })),
  ];
  const L = 250;
  const W = 640;
  const rowH = 22;
  const H = rows.length * rowH + 40;
  const x = (v: number) => L + (Math.min(v, 2) / 2) * (W - L - 90);
  const bars = rows
    .map((r, i) => {
      const y = 24 + i * rowH;
      return `<text x="${L - 6}" y="${y + 12}" text-anchor="end">${esc(r.name)}</text><rect x="${L}" y="${y}" width="${(x(r.v) - L).toFixed(1)}" height="14" fill="${r.color}"/><text x="${x(r.v) + 4}" y="${y + 12}">${(r.v * 100).toFixed(1)} %</text>`;
    })
    .join("");
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">
<text x="${L}" y="14" font-weight="600">${esc(title)}</text>${bars}
<line x1="${x(1)}" x2="${x(1)}" y1="20" y2="${H - 14}" stroke="${LIMIT}" stroke-dasharray="4 3"/><text x="${x(1) + 3}" y="${H - 4}" fill="${LIMIT}">one thread (100 %)</text></svg>`;
}

/**
 * End-to-end p99 against the load multiplier (log scale on both axes), today and design.
 *
 * @example
 * ```ts
 * latencyByLoad("L3: publish to last subscriber", todayRuns, designRuns);
 * ```
 */
export function latencyByLoad(title: string, today: RunResult[], design: RunResult[]): string {
  const W = 460;
  const H = 240;
  const L = 54;
  const B = 34;
  const T = 26;
  const R = 12;
  const all = [...today, ...design].filter((r) => Number.isFinite(r.p99));
  const mults = all.map((r) => r.mult);
  const ys = all.map((r) => r.p99);
  const [x0, x1] = [Math.log10(Math.min(...mults)), Math.log10(Math.max(...mults))];
  const [y0, y1] = [Math.log10(Math.min(...ys) / 1.5), Math.log10(Math.max(...ys) * 1.5)];
  const x = (m: number) => L + ((Math.log10(m) - x0) / (x1 - x0 || 1)) * (W - L - R);
  const y = (v: number) => H - B - ((Math.log10(v) - y0) / (y1 - y0 || 1)) * (H - B - T);
  const line = (runs: RunResult[], color: string) => {
    const pts = runs.filter((r) => Number.isFinite(r.p99));
    const d = pts.map((r, i) => `${i === 0 ? "M" : "L"}${x(r.mult).toFixed(1)},${y(r.p99).toFixed(1)}`).join("");
    const dots = pts
      .map((r) => `<circle cx="${x(r.mult).toFixed(1)}" cy="${y(r.p99).toFixed(1)}" r="3" fill="${color}"/>`)
      .join("");
    return `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>${dots}`;
  };
  const yTicks = [];
  for (let e = Math.floor(y0); e <= Math.ceil(y1); e++) {
    const v = 10 ** e;
    if (Math.log10(v) < y0 || Math.log10(v) > y1) continue;
    yTicks.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#eaeef2"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`,
    );
  }
  const xTicks = [...new Set(mults)].map((m) => `<text x="${x(m)}" y="${H - B + 16}" text-anchor="middle">${m}x</text>`).join("");
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">
<text x="${L}" y="16" font-weight="600">${esc(title)}</text>${yTicks.join("")}${xTicks}
<text x="${L}" y="${H - 4}">load multiplier; p99 in ms (log)</text>${line(today, TODAY)}${line(design, DESIGN)}
<rect x="${L + 10}" y="${T}" width="10" height="3" fill="${TODAY}"/><text x="${L + 24}" y="${T + 5}">today</text>
<rect x="${L + 10}" y="${T + 14}" width="10" height="3" fill="${DESIGN}"/><text x="${L + 24}" y="${T + 19}">design</text></svg>`;
}

function groupTable(run: RunResult): string {
  const rows = run.groups
    .map(
      (g) =>
        `<tr><td>${esc(g.label)}</td><td>${g.count.toLocaleString("en")}</td><td>${(g.utilisation * 100).toFixed(1)} %</td><td>${fmt(g.requestsPerSec, 0)}</td><td>${g.sockets.toLocaleString("en")}</td><td>${fmt(g.heapMiB, 1)}</td><td>${fmt(g.backlogMs, 1)}</td></tr>`,
    )
    .join("");
  return `<table><thead><tr><th>object (busiest of its role)</th><th>count</th><th>CPU</th><th>requests/s</th><th>WebSockets</th><th>heap MiB</th><th>backlog ms</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * The self-contained HTML report (inline SVG and CSS, no scripts), in the style of the bench's.
 *
 * @example
 * ```ts
 * writeFileSync("bench-results/sim.html", renderSimHtml(results));
 * ```
 */
export function renderSimHtml(r: SimResults): string {
  const replica = r.replica
    .map(
      (f) =>
        `<tr><td>${esc(f.scenario)}</td><td>${fmt(f.measured, 3)} ${esc(f.unit)}</td><td>${fmt(f.simulated, 3)}</td><td>${((f.simulated / f.measured - 1) * 100).toFixed(1)} %</td><td>${f.derivedFrom ? "derived from it" : "out of sample"}</td></tr>`,
    )
    .join("");
  const costs = Object.entries(r.costs)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${fmt(v as number, 3)}</td></tr>`)
    .join("");
  const loads = r.loads
    .map((l) => {
      const [t, d] = [l.designs[0]!, l.designs[1]!];
      const nominal = (runs: RunResult[]) => runs.find((x) => x.mult === 1) ?? runs[0]!;
      const [tn, dn] = [nominal(t.runs), nominal(d.runs)];
      const summary = l.designs
        .map((x) => {
          const n = nominal(x.runs);
          const p = (v: number) => (n.queuesGrow ? `${fmt(v, 1)}, rising` : fmt(v, 3));
          return `<tr><td>${x.name}</td><td>${esc(n.sizing)}</td><td>${p(n.p50)}</td><td>${p(n.p99)}</td><td>${fmt(n.cpuHeadroom, 1)}x</td><td>${esc(n.binding.limit)}, ${esc(n.binding.where)} (${fmt(n.binding.headroom)}x headroom)</td><td>${satText(x.saturation, l.scales)}</td><td>${satText(x.next, l.scales)}</td><td>${esc(n.overSoftLimit.join(", ") || "none")}</td></tr>`;
        })
        .join("");
      return `<section><h2>${esc(l.id)}: ${esc(l.title)}</h2>
<table><thead><tr><th>design</th><th>objects</th><th>p50 ms</th><th>p99 ms</th><th>rate headroom (CPU)</th><th>closest limit at 1x</th><th>saturates at</th><th>the traffic alone (CPU, quotas)</th><th>over 1,000 req/s (soft)</th></tr></thead><tbody>${summary}</tbody></table>
<div class="charts">${utilisationChart(`${l.id}: CPU per object at 1x`, tn, dn)}${latencyByLoad(`${l.id}: ${tn.op}, p99`, t.runs, d.runs)}</div>
<h3>Today at 1x</h3>${groupTable(tn)}<h3>Design at 1x</h3>${groupTable(dn)}</section>`;
    })
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Nexus scale simulation ${esc(r.startedAt)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1200px}table{border-collapse:collapse;margin:8px 0}
td,th{border-bottom:1px solid #d0d7de;padding:4px 10px;text-align:right;white-space:nowrap}td:first-child,th:first-child{text-align:left}
svg{font:11px system-ui,sans-serif;margin:6px 12px 6px 0}.charts{display:flex;flex-wrap:wrap}small{color:#57606a;font-weight:400}</style>
</head><body><h1>Nexus scale simulation</h1>
<p>${esc(r.startedAt)}, ${(r.durationMs / 1000).toFixed(1)} s, seed ${r.seed}. A discrete-event model: every Durable Object (and the bridge) is one
thread serving its work first come, first served, with per-operation costs derived from <code>npm run bench</code> (${esc(r.calibrationSource)}).
Loads run at 0.5-4x their nominal size; "saturates at" extrapolates from the largest run that kept every limit. See docs/scale.md.</p>
<h2>Calibration: the bench's own scenarios through the model</h2>
<table><thead><tr><th>scenario</th><th>measured</th><th>model</th><th>error</th><th></th></tr></thead><tbody>${replica}</tbody></table>
<details><summary>Derived costs (µs of one thread; ms for wireMs; bytes for heapPerConn, from npm run sim:heap)</summary><table>${costs}</table></details>
${loads}</body></html>
`;
}
