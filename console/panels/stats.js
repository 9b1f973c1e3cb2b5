import { adminGate, rejectKey } from "../admin-gate.js";
import { clock, h, replace } from "../dom.js";
import { errorView } from "../errors.js";
import { poller } from "../poller.js";

/**
 * Stats (admin key): connections and messages per second, per app and in total, refreshed every 2 s.
 *
 * @example
 * const panel = statsPanel(ctx); panel.show();
 */
export function statsPanel(ctx) {
  const body = h("div");
  const view = h("div", { "aria-live": "off" });
  const auto = h("input", { type: "checkbox", checked: true, onchange: () => live.setEnabled(auto.checked) });
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
      apps.length === 0
        ? h("p", { class: "empty" }, "No app has connections.")
        : h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              { dataset: { list: "stats" } },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  h("th", {}, "App"),
                  h("th", {}, "Connections"),
                  h("th", {}, "Messages in"),
                  h("th", {}, "Messages/s"),
                ),
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
          ),
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
      updated,
    ),
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

function rate(x) {
  return typeof x === "number" ? x.toFixed(1) : "0.0";
}
