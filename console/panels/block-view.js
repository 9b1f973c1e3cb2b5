import { clock, h, replace } from "../dom.js";
import { errorView } from "../errors.js";

/**
 * The view of one block: its identity, since when it is online, the methods it serves (each with a
 * Call shortcut) and the channels it subscribes to. Served methods come from Find's `methods`;
 * with the admin key, the app's block listing (GET /v1/admin/apps/:app/blocks) also gives them,
 * and the channels.
 *
 * @example
 * const view = blockView(ctx); panel.append(view.el); view.open(block);
 */
export function blockView(ctx) {
  const el = h("section", { class: "card block-view", "aria-label": "Block", hidden: true, tabindex: "-1" });
  let current;

  function close() {
    current = undefined;
    el.hidden = true;
  }

  async function open(block) {
    current = block;
    el.hidden = false;
    render(block, undefined);
    el.focus();
    if (!ctx.registry) return;
    try {
      const detail = (await ctx.registry.appBlocks(block.app)).find((b) => b.jid === block.jid);
      if (current === block) render(block, detail ?? null);
    } catch (err) {
      if (current === block) render(block, err);
    }
  }

  // `detail`: undefined while loading (or without the admin key), null when the block has left, an Error, or the admin record.
  function render(block, detail) {
    const record = detail && !(detail instanceof Error) ? detail : undefined;
    const methods = block.methods ?? record?.methods;
    const worker = methods !== undefined || isWorker(block.kind);
    const target = { app: block.app, resource: block.resource, uid: block.role === "user" ? block.uid : "" };
    replace(
      el,
      h(
        "div",
        { class: "log-head" },
        h("h3", {}, "Block ", h("code", { class: "jid" }, block.jid)),
        h("button", { type: "button", class: "small secondary", onclick: close }, "Close block view"),
      ),
      h(
        "dl",
        { class: "facts" },
        fact("App", block.app),
        fact("User id", block.uid),
        fact("Role", block.role),
        fact("Kind", `${block.kind}${worker ? " (worker)" : " (frontend)"}`),
        fact("Resource", block.resource),
        fact("Online since", block.since ? `${new Date(block.since).toLocaleDateString()} ${clock(block.since)}` : "?"),
      ),
      h("h4", {}, "Serves"),
      !worker
        ? h("p", { class: "hint" }, "A frontend: it calls and subscribes, but serves nothing.")
        : methods === undefined
          ? h("p", { class: "hint" }, ctx.registry ? "Loading…" : "Use the admin key (Registry) to see what it serves.")
          : methods.length === 0
            ? h("p", { class: "empty" }, "Nothing yet (it has not sent serve).")
            : h(
                "ul",
                { class: "chips", dataset: { list: "methods" } },
                ...methods.map((m) =>
                  h(
                    "li",
                    { dataset: { method: m } },
                    h("code", {}, m === "*" ? "* (every method)" : m),
                    h(
                      "button",
                      {
                        type: "button",
                        class: "small",
                        onclick: () => ctx.goto("api", { ...target, method: m === "*" ? "" : m }),
                        "aria-label": `Call ${m} on ${block.resource}`,
                      },
                      "Call",
                    ),
                  ),
                ),
              ),
      h("h4", {}, "Subscribed channels"),
      detail instanceof Error
        ? errorView(detail, "Block details")
        : detail === null
          ? h("p", { class: "hint" }, "The block is no longer online.")
          : record
            ? record.channels.length === 0
              ? h("p", { class: "empty" }, "None.")
              : h(
                  "ul",
                  { class: "chips", dataset: { list: "block-channels" } },
                  ...record.channels.map((c) => h("li", {}, h("code", {}, c))),
                )
            : h("p", { class: "hint" }, ctx.registry ? "Loading…" : "Use the admin key (Registry) to see its channels."),
    );
  }

  return { el, open, close, refresh: () => current && open(current) };
}

const WORKER_KINDS = [
  "uservice",
  "udevelopment",
  "xservice",
  "xdefault",
  "xdevelopment",
  "default",
  "pydefault",
  "godefault",
  "device",
];

/** True for the kinds that receive calls and Directs. */
export function isWorker(kind) {
  return WORKER_KINDS.includes(kind);
}

function fact(label, value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value ?? ""));
}
