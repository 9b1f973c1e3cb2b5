const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** One line of a chart over time: its name, colour and a value per sample (NaN: no value). */
export interface Series {
  name: string;
  color: string;
  values: readonly number[];
}

/** Colours for lines, in order (the bench report's blue and grey first). */
export const PALETTE = ["#1f6feb", "#8c959f", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0550ae"];

const tick = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * A line chart over time as inline SVG (no script, no external reference): seconds since the start
 * on x, one line per series, a legend, and a grid on y from 0 to the largest value.
 *
 * @example
 * ```ts
 * timeChart("Connections open", "connections", [0, 1, 2], [{ name: "open", color: PALETTE[0]!, values: [0, 500, 998] }]);
 * ```
 */
export function timeChart(title: string, unit: string, t: readonly number[], series: readonly Series[]): string {
  const W = 560;
  const H = 240;
  const L = 56;
  const B = 34;
  const T = 26;
  const R = 12;
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  const yMax = Math.max(0, ...finite) * 1.08 || 1;
  const tMax = Math.max(1, ...t);
  const x = (s: number) => L + (s / tMax) * (W - L - R);
  const y = (v: number) => H - B - (v / yMax) * (H - B - T);
  const path = (values: readonly number[]) => {
    let d = "";
    let pen = "M";
    values.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        pen = "M";
        return;
      }
      d += `${pen}${x(t[i] ?? 0).toFixed(1)},${y(v).toFixed(1)}`;
      pen = "L";
    });
    return d;
  };
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => f * yMax)
    .map(
      (v) =>
        `<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eaeef2"/><text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${tick(v)}</text>`,
    )
    .join("");
  const xTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<text x="${x(f * tMax).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${Math.round(f * tMax)}</text>`)
    .join("");
  const lines = series.map((s) => `<path d="${path(s.values)}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`).join("\n");
  const legend = series
    .map(
      (s, i) =>
        `<rect x="${L + 10}" y="${T + i * 14}" width="10" height="3" fill="${s.color}"/><text x="${L + 24}" y="${T + 5 + i * 14}">${esc(s.name)}</text>`,
    )
    .join("");
  const none = series.length === 0 ? `<text x="${L + 10}" y="${T + 14}">none</text>` : "";
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">
<text x="${L}" y="16" font-weight="600">${esc(title)}</text>${grid}${xTicks}${none}
<text x="${L}" y="${H - 4}">seconds since the start; ${esc(unit)}</text>
${lines}
${legend}
</svg>`;
}
