import { clock, field, h, replace } from "../dom.js";
import { errorView } from "../errors.js";
import { poller } from "../poller.js";
import { blockView, isWorker } from "./block-view.js";

/**
 * Blocks: my online blocks (Find), and every block of an app for its owner (Find, scope "app").
 * Refreshes every 5 s while visible, and on demand. "View" opens a block's view: what it serves
 * and what it listens to.
 *
 * @example
 * const panel = blocksPanel(ctx); document.body.append(panel.el); panel.show();
 */
export function blocksPanel(ctx) {
  const app = field("App (for “every block of the app”)", { name: "blocks-app", value: ctx.identity.app ?? "" });
  const auto = h("input", { type: "checkbox", checked: true, onchange: () => live.setEnabled(auto.checked) });
  const updated = h("p", { class: "hint", "aria-live": "off" });
  const mine = h("div", { class: "table-wrap" });
  const all = h("div", { class: "table-wrap" });
  const view = blockView(ctx);

  async function load() {
    const [own, scoped] = await Promise.allSettled([
      ctx.client.find({}),
      ctx.client.find({ app: app.input.value.trim(), scope: "app" }),
    ]);
    render(mine, own, "my-blocks");
    render(all, scoped, "app-blocks");
    updated.textContent = `Updated ${clock()}`;
  }

  function render(where, settled, name) {
    if (settled.status === "rejected") {
      const err = settled.reason;
      const note =
        err?.code === "forbidden" ? h("p", { class: "hint" }, "Only the app's owner sees every block of the app.") : undefined;
      replace(where, errorView(err, "Find"), note);
      return;
    }
    const blocks = Array.isArray(settled.value) ? settled.value : (settled.value?.blocks ?? []);
    replace(where, blocksTable(blocks, name));
  }

  function blocksTable(blocks, name) {
    if (blocks.length === 0) return h("p", { class: "empty" }, "No blocks online.");
    const sorted = [...blocks].sort((a, b) => a.jid.localeCompare(b.jid));
    return h(
      "table",
      { dataset: { list: name } },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "JID"),
          h("th", {}, "Kind"),
          h("th", {}, "Role"),
          h("th", {}, "Since"),
          h("th", {}, "Serves"),
          h("th", {}, ""),
        ),
      ),
      h("tbody", {}, ...sorted.map(blockRow)),
    );
  }

  function blockRow(b) {
    const target = { app: b.app, resource: b.resource, uid: b.role === "user" ? b.uid : "" };
    const you = b.jid === ctx.client.jid;
    const open = h(
      "button",
      { type: "button", class: "small secondary", onclick: () => view.open(b), "aria-label": `View ${b.resource}` },
      "View",
    );
    const actions = isWorker(b.kind)
      ? [
          h(
            "button",
            { type: "button", class: "small", onclick: () => ctx.goto("api", target), "aria-label": `Call ${b.resource}` },
            "Call",
          ),
          h(
            "button",
            {
              type: "button",
              class: "small",
              onclick: () => ctx.goto("direct", target),
              "aria-label": `Direct to ${b.resource}`,
            },
            "Direct",
          ),
        ]
      : [];
    return h(
      "tr",
      { dataset: { jid: b.jid } },
      h("td", { "data-label": "JID" }, h("code", {}, b.jid), you ? h("span", { class: "badge" }, "this console") : ""),
      h("td", { "data-label": "Kind" }, b.kind),
      h("td", { "data-label": "Role" }, b.role),
      h("td", { "data-label": "Since" }, b.since ? clock(b.since) : ""),
      // Find lists what each worker serves (`methods`); frontends serve nothing.
      h("td", { "data-label": "Serves" }, Array.isArray(b.methods) ? b.methods.join(", ") || "nothing yet" : ""),
      h("td", { class: "actions" }, open, ...actions),
    );
  }

  const live = poller(5000, load);
  const el = h(
    "section",
    { class: "panel" },
    h("h2", {}, "Blocks"),
    h(
      "div",
      { class: "toolbar" },
      app.row,
      h("button", { type: "button", onclick: () => live.now() }, "Refresh blocks"),
      h("label", { class: "check" }, auto, "Auto-refresh every 5 s"),
    ),
    updated,
    view.el,
    h("h3", {}, "My online blocks"),
    mine,
    h("h3", {}, "Every block of the app (owner only)"),
    all,
  );
  app.input.addEventListener("change", () => live.now());
  return { el, show: live.start, hide: live.stop, dispose: live.stop };
}
