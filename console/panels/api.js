import { field, h } from "../dom.js";
import { errorView } from "../errors.js";

/**
 * API: pick an app and a method, edit JSON data, call, and see the result (or the error code)
 * with the round-trip time and the JID of the worker that answered.
 *
 * @example
 * const panel = apiPanel(ctx); panel.prefill({ app: "shop", resource: "default7Hx" });
 */
export function apiPanel(ctx) {
  // The names are checked here (pattern), so an accepted call's bad_request can only be the worker's own.
  const app = field("App", {
    name: "api-app",
    required: true,
    pattern: "[a-z0-9][a-z0-9_\\-]{0,62}",
    value: ctx.identity.app ?? "",
  });
  const method = field("Method", { name: "api-method", required: true, pattern: "[A-Za-z0-9_.:\\/\\-]{1,128}" });
  const resource = field("Resource (optional: one exact worker)", { name: "api-resource", pattern: "[a-z]+[A-Za-z0-9]{0,32}" });
  const uid = field("User id (optional: a user-role worker)", { name: "api-uid", pattern: "[A-Za-z0-9_]{1,64}" });
  const timeout = field("Timeout (ms)", { name: "api-timeout", type: "number", min: 1, max: 30000, value: "30000" });
  const data = field("Data (JSON)", { name: "api-data", rows: 6, class: "mono", value: "{}" }, "textarea");
  const submit = h("button", { type: "submit" }, "Call");
  const out = h("div", { class: "out", "aria-live": "polite" });

  async function call(e) {
    e.preventDefault();
    let payload;
    try {
      payload = JSON.parse(data.input.value || "null");
    } catch (err) {
      out.replaceChildren(errorView(Object.assign(new Error(err.message), { code: "bad_json" }), "Data"));
      data.input.focus();
      return;
    }
    const options = { timeoutMs: Number(timeout.input.value) || undefined };
    if (resource.input.value.trim()) options.resource = resource.input.value.trim();
    if (uid.input.value.trim()) options.uid = uid.input.value.trim();
    const target = `${app.input.value.trim()}.${method.input.value.trim()}`;
    submit.disabled = true;
    out.replaceChildren(h("p", {}, `Calling ${target}…`));
    const started = performance.now();
    try {
      const result = await ctx.client.api(app.input.value.trim(), method.input.value.trim(), payload, options);
      const ms = performance.now() - started;
      out.replaceChildren(
        h(
          "div",
          { class: "result", dataset: { ok: "true" } },
          h("p", { class: "ok" }, `OK from ${target} in `, h("strong", { class: "rtt" }, `${ms.toFixed(1)} ms`)),
          h("pre", { class: "data", "aria-label": "Result" }, JSON.stringify(result, null, 2) ?? "undefined"),
        ),
      );
    } catch (err) {
      const ms = performance.now() - started;
      out.replaceChildren(
        h(
          "div",
          { class: "result", dataset: { ok: "false" } },
          errorView(err, `${target} failed after ${ms.toFixed(1)} ms`, { fromWorker: true }),
        ),
      );
    } finally {
      submit.disabled = false;
    }
  }

  const el = h(
    "section",
    { class: "panel" },
    h("h2", {}, "API"),
    h(
      "form",
      { class: "card wide", onsubmit: call, "aria-label": "Call a method" },
      h("div", { class: "grid" }, app.row, method.row, resource.row, uid.row, timeout.row),
      data.row,
      submit,
    ),
    out,
  );

  return {
    el,
    prefill(values = {}) {
      if (values.app !== undefined) app.input.value = values.app;
      resource.input.value = values.resource ?? "";
      uid.input.value = values.uid ?? "";
      if (values.method) method.input.value = values.method;
      method.input.focus();
    },
  };
}
