import { adminGate, rejectKey } from "../admin-gate.js";
import { clock, h, replace } from "../dom.js";
import { errorView } from "../errors.js";
import { poller } from "../poller.js";

const PREVIEW = 80;

/**
 * The Channels browser (admin key): every channel with subscribers, how many and in which apps,
 * its `seq` and its retained value with the sender; "Watch" subscribes this console to it.
 * Refreshed every 3 s while visible.
 *
 * @example
 * const browser = channelBrowser(ctx, (channel) => watch(channel)); panel.append(browser.el); browser.show();
 */
export function channelBrowser(ctx, onWatch) {
  const body = h("div");
  const list = h("div", { class: "table-wrap", "aria-live": "off" });
  const updated = h("p", { class: "hint" });

  async function load() {
    try {
      render(await ctx.registry.channels());
    } catch (err) {
      if (rejectKey(ctx, err, body, show)) live.stop();
      else replace(list, errorView(err, "Channels"));
    }
  }

  function render(answer) {
    const channels = answer?.channels ?? [];
    updated.textContent = `Updated ${clock(answer?.at)}${answer?.truncated ? " (the 200 busiest)" : ""}`;
    if (channels.length === 0) {
      replace(list, h("p", { class: "empty" }, "No channel has subscribers."));
      return;
    }
    replace(
      list,
      h(
        "table",
        { dataset: { list: "channels" } },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, "Channel"),
            h("th", {}, "Subscribers"),
            h("th", {}, "Apps"),
            h("th", {}, "Seq"),
            h("th", {}, "Retained value"),
            h("th", {}, ""),
          ),
        ),
        h("tbody", {}, ...channels.map(row)),
      ),
    );
  }

  function row(c) {
    const retained = c.retained
      ? h(
          "span",
          {},
          h("code", { class: "data" }, preview(c.retained.data)),
          h("span", { class: "hint" }, ` #${c.retained.seq} from ${c.retained.from?.resource ?? "?"}`),
        )
      : h("span", { class: "hint" }, "none");
    return h(
      "tr",
      { dataset: { channel: c.channel } },
      h("td", { "data-label": "Channel" }, h("code", {}, c.channel)),
      h("td", { "data-label": "Subscribers" }, String(c.subscribers)),
      h("td", { "data-label": "Apps" }, c.apps.map((a) => `${a.app} (${a.subscribers})`).join(", ")),
      h("td", { "data-label": "Seq" }, String(c.seq)),
      h("td", { "data-label": "Retained value" }, retained),
      h(
        "td",
        { class: "actions" },
        h(
          "button",
          { type: "button", class: "small", onclick: () => onWatch(c.channel), "aria-label": `Watch ${c.channel}` },
          "Watch",
        ),
      ),
    );
  }

  const live = poller(3000, load);
  const unlocked = h(
    "div",
    {},
    h("div", { class: "toolbar" }, h("button", { type: "button", onclick: () => live.now() }, "Refresh channels"), updated),
    list,
  );

  function show() {
    if (!ctx.registry) {
      replace(body, adminGate(ctx, show));
      return;
    }
    if (body.firstChild !== unlocked) replace(body, unlocked);
    live.start();
  }

  const el = h("section", { class: "browser", "aria-label": "Active channels" }, h("h3", {}, "Active channels"), body);
  return { el, show, hide: live.stop, dispose: live.stop };
}

function preview(text) {
  if (text === "") return "(empty)";
  return text.length > PREVIEW ? `${text.slice(0, PREVIEW)}…` : text;
}
