import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
// The drawing's own units; it scales to the figure's width, so these set the text's relative size.
const W = 400;
const H = 140;
const PAD = { left: 36, right: 6, top: 8, bottom: 18 };

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/** A round upper bound for the y axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** A value as an axis or legend label: 1234 -> "1.2k", 0.25 -> "0.25". */
export function shortNumber(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  if (a >= 10 || Number.isInteger(v)) return String(Math.round(v));
  return v.toFixed(a >= 1 ? 1 : 2);
}

// A path through the points; null values leave a gap (no calls in that second: no latency). A point
// alone between gaps gets a short stroke, which the round line cap turns into a dot.
function pathOf(values, x, y) {
  let d = "";
  let run = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined) {
      if (run === 1) d += "h0.1";
      run = 0;
      return;
    }
    d += `${run > 0 ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    run++;
  });
  return run === 1 ? `${d}h0.1` : d;
}

/**
 * A time-series line chart in plain SVG: one line per series over the same seconds, a y axis from 0
 * to a round maximum, minute ticks, and a legend with each series' latest value. Colours come from
 * the stylesheet (`.series-0` ... `.series-5`).
 *
 * @example
 * lineChart({ title: "Messages per second", unit: "/s", step: 1000,
 *   lines: [{ name: "in", values: [1, 2, 3] }, { name: "out", values: [2, 4, 6] }] });
 */
export function lineChart({ title, unit = "", step = 1000, lines, name }) {
  const n = Math.max(1, ...lines.map((l) => l.values.length));
  const peak = Math.max(0, ...lines.flatMap((l) => l.values.filter((v) => typeof v === "number")));
  const top = niceMax(peak);
  const x = (i) => PAD.left + (n === 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const y = (v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);

  const grid = [0, 0.5, 1].map((f) =>
    svg(
      "g",
      { class: "grid" },
      svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(top * f), y2: y(top * f) }),
      svg("text", { x: PAD.left - 6, y: y(top * f) + 4, "text-anchor": "end" }, shortNumber(top * f)),
    ),
  );
  const spanSeconds = ((n - 1) * step) / 1000;
  const every = spanSeconds <= 90 ? 15 : 60;
  const ticks = [];
  for (let s = 0; s <= spanSeconds; s += every) {
    const i = n - 1 - (s * 1000) / step;
    const label = s === 0 ? "now" : every === 60 ? `−${s / 60}m` : `−${s}s`;
    ticks.push(svg("text", { class: "tick", x: x(i), y: H - 3, "text-anchor": s === 0 ? "end" : "middle" }, label));
  }
  const paths = lines.map((l, i) =>
    svg("path", { class: `line series-${i % 6}`, d: pathOf(l.values, x, y), "data-series": l.name }),
  );
  const latest = (l) => [...l.values].reverse().find((v) => typeof v === "number") ?? null;
  const summary = lines.map((l) => `${l.name} ${shortNumber(latest(l))}${unit}`).join(", ");

  return h(
    "figure",
    { class: "chart", dataset: { chart: name ?? title } },
    h(
      "figcaption",
      {},
      h("span", { class: "chart-title" }, title),
      h(
        "span",
        { class: "legend" },
        ...lines.map((l, i) =>
          h(
            "span",
            { class: "legend-item", dataset: { series: l.name } },
            h("span", { class: `swatch series-${i % 6}` }),
            `${l.name} `,
            h("strong", { class: "latest" }, `${shortNumber(latest(l))}${unit}`),
          ),
        ),
      ),
    ),
    svg(
      "svg",
      {
        viewBox: `0 0 ${W} ${H}`,
        role: "img",
        "aria-label": `${title}, last ${Math.round(spanSeconds)} s: ${summary}`,
      },
      ...grid,
      ...ticks,
      ...paths,
    ),
  );
}
