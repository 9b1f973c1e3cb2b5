import { clock, field, h } from "../dom.js";
import { errorView } from "../errors.js";

/**
 * Direct: send a one-way string to one worker; with "wait for ack" the server confirms delivery
 * or answers offline, forbidden, not_found or not_a_worker.
 *
 * @example
 * const panel = directPanel(ctx); panel.prefill({ app: "shop", resource: "default7Hx" });
 */
export function directPanel(ctx) {
  const app = field("App", { name: "direct-app", required: true, value: ctx.identity.app ?? "" });
  const resource = field("Resource (the worker)", { name: "direct-resource", required: true });
  const uid = field("User id (optional: a user-role worker)", { name: "direct-uid" });
  const text = field("Text", { name: "direct-text", rows: 3 }, "textarea");
  const ack = h("input", { type: "checkbox", name: "direct-ack", checked: true });
  const submit = h("button", { type: "submit" }, "Send direct");
  const out = h("div", { class: "out", "aria-live": "polite" });

  async function send(e) {
    e.preventDefault();
    const options = { ack: ack.checked };
    if (uid.input.value.trim()) options.uid = uid.input.value.trim();
    const to = `${app.input.value.trim()}/${resource.input.value.trim()}`;
    submit.disabled = true;
    try {
      await ctx.client.direct(app.input.value.trim(), resource.input.value.trim(), text.input.value, options);
      out.replaceChildren(
        h(
          "p",
          { class: "ok", dataset: { ok: "true" } },
          ack.checked ? `Delivered to ${to} (acknowledged) at ${clock()}.` : `Sent to ${to} at ${clock()} (no ack requested).`,
        ),
      );
    } catch (err) {
      out.replaceChildren(errorView(err, `Direct to ${to}`));
    } finally {
      submit.disabled = false;
    }
  }

  const el = h(
    "section",
    { class: "panel" },
    h("h2", {}, "Direct"),
    h(
      "form",
      { class: "card wide", onsubmit: send, "aria-label": "Send a direct message" },
      h("div", { class: "grid" }, app.row, resource.row, uid.row),
      text.row,
      h("label", { class: "check" }, ack, "Wait for the server's ack"),
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
      text.input.focus();
    },
  };
}
