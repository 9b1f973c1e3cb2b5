import { adminGate, rejectKey } from "../admin-gate.js";
import { lineChart } from "../chart.js";
import { clock, h, replace } from "../dom.js";
import { errorView } from "../errors.js";
import { poller } from "../poller.js";

/** At most this many error codes get a line of their own (the busiest); the rest are summed. */
const MAX_ERROR_LINES = 5;

/**
 * Stats (admin key): live charts of the last five minutes (connections, messages per second in and
 * out, API calls per second, their p50/p99 latency, errors per second by code), then the totals and
 * a table per app. Refreshed every 2 s from GET /v1/admin/stats.
 *
 * @example
 * const panel = statsPanel(ctx); panel.show();
 */
export function statsPanel(ctx) {
  const body = h("div");
  const charts = h("div", { class: "charts", "aria-live": "off" });
  const view = h("div", { "aria-live": "off" });
  const auto = h("input", { type: "checkbox", checked: true, onchange: () => live.setEnabled(auto.checked) });
  let lastSeries;
  const windowSelect = h(
    "select",
    { name: "stats-window", onchange: () => lastSeries && replace(charts, ...chartsOf(lastSeries, Number(windowSelect.value))) },
    h("option", { value: "300" }, "last 5 minutes"),
    h("option", { value: "60" }, "last minute"),
  );
  const updated = h("p", { class: "hint" });

  async function load() {
    try {
      render(await ctx.registry.stats());
    } catch (err) {
      if (rejectKey(ctx, err, body, show)) live.stop();
      else replace(view, errorView(err, "Stats"));
    }
  }

  function render(stats) {
    if (stats?.series) {
      lastSeries = stats.series;
      replace(charts, ...chartsOf(stats.series, Number(windowSelect.value)));
    }
    const t = stats?.totals ?? {};
    const apps = [...(stats?.apps ?? [])].sort((a, b) => (b.connections ?? 0) - (a.connections ?? 0));
    replace(
      view,
      h(
        "dl",
        { class: "totals" },
        h("div", {}, h("dt", {}, "Connections"), h("dd", { dataset: { stat: "connections" } }, String(t.connections ?? 0))),
        h("div", {}, h("dt", {}, "Messages in"), h("dd", {}, String(t.messagesIn ?? 0))),
        h("div", {}, h("dt", {}, "Messages/s"), h("dd", {}, rate(t.messagesPerSec))),
      ),
      apps.length === 0 ? h("p", { class: "empty" }, "No app has connections.") : appsTable(apps),
    );
    updated.textContent = `Updated ${clock(stats?.at)}`;
  }

  const live = poller(2000, load);
  const unlocked = h(
    "div",
    {},
    h(
      "div",
      { class: "toolbar" },
      h("button", { type: "button", onclick: () => live.now() }, "Refresh stats"),
      h("label", { class: "check" }, auto, "Auto-refresh every 2 s"),
      h("label", { class: "check" }, "Charts: ", windowSelect),
      updated,
    ),
    charts,
    view,
  );

  function show() {
    if (!ctx.registry) {
      replace(body, adminGate(ctx, show));
      return;
    }
    if (body.firstChild !== unlocked) replace(body, unlocked);
    live.start();
  }

  const el = h("section", { class: "panel" }, h("h2", {}, "Stats"), body);
  return { el, show, hide: live.stop, dispose: live.stop };
}

/**
 * The five charts of a stats series, over its last `seconds`. The last point is the current,
 * partial second: it is left out.
 *
 * @example
 * replace(charts, ...chartsOf(stats.series, 300));
 */
export function chartsOf(series, seconds = 300) {
  const whole = (values) => (values ?? []).slice(0, -1).slice(-seconds);
  const step = series.step ?? 1000;
  const codes = Object.entries(series.errors ?? {})
    .map(([code, values]) => [code, whole(values)])
    .sort((a, b) => sum(b[1]) - sum(a[1]));
  const shown = codes.slice(0, MAX_ERROR_LINES);
  const rest = codes.slice(MAX_ERROR_LINES);
  if (rest.length > 0) shown.push(["other", whole(series.in).map((_, i) => sum(rest.map(([, v]) => v[i] ?? 0)))]);
  const errorLines =
    shown.length > 0
      ? shown.map(([code, values]) => ({ name: code, values }))
      : [{ name: "none", values: whole(series.in).map(() => 0) }];
  return [
    lineChart({
      name: "connections",
      title: "Connections",
      step,
      lines: [{ name: "connections", values: whole(series.connections) }],
    }),
    lineChart({
      name: "messages",
      title: "Messages per second",
      unit: "/s",
      step,
      lines: [
        { name: "in", values: whole(series.in) },
        { name: "out", values: whole(series.out) },
      ],
    }),
    lineChart({
      name: "calls",
      title: "API calls per second",
      unit: "/s",
      step,
      lines: [{ name: "calls", values: whole(series.calls) }],
    }),
    lineChart({
      name: "latency",
      title: "API latency (ms)",
      unit: " ms",
      step,
      lines: [
        { name: "p50", values: whole(series.p50) },
        { name: "p99", values: whole(series.p99) },
      ],
    }),
    lineChart({ name: "errors", title: "Errors per second, by code", unit: "/s", step, lines: errorLines }),
  ];
}

function appsTable(apps) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { dataset: { list: "stats" } },
      h(
        "thead",
        {},
        h("tr", {}, h("th", {}, "App"), h("th", {}, "Connections"), h("th", {}, "Messages in"), h("th", {}, "Messages/s")),
      ),
      h(
        "tbody",
        {},
        ...apps.map((a) =>
          h(
            "tr",
            { dataset: { app: a.app } },
            h("td", { "data-label": "App" }, h("code", {}, a.app)),
            h("td", { "data-label": "Connections" }, String(a.connections ?? 0)),
            h("td", { "data-label": "Messages in" }, String(a.messagesIn ?? 0)),
            h("td", { "data-label": "Messages/s" }, rate(a.messagesPerSec)),
          ),
        ),
      ),
    ),
  );
}

function sum(values) {
  return values.reduce((n, v) => n + (v ?? 0), 0);
}

function rate(x) {
  return typeof x === "number" ? x.toFixed(1) : "0.0";
}
