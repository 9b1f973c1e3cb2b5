import { field, h } from "./dom.js";
import { errorView } from "./errors.js";
import { RegistryClient } from "./registry-client.js";

/**
 * Asks for the admin key when the console was signed in with a plain token; the key then
 * unlocks Registry and Stats for the rest of the session (kept in memory only).
 *
 * @example
 * const gate = adminGate(ctx, () => panel.show());
 */
export function adminGate(ctx, onUnlocked, error) {
  const key = field("Admin key", { name: "gate-admin-key", type: "password", required: true });
  const form = h(
    "form",
    { class: "card", "aria-label": "Admin key" },
    h("p", { class: "hint" }, "This panel uses the registry's admin routes. Enter the admin key of this edge."),
    error,
    key.row,
    h("button", { type: "submit" }, "Use admin key"),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    ctx.setRegistry(new RegistryClient(location.origin, key.input.value.trim()));
    key.input.value = "";
    onUnlocked();
  });
  return form;
}

/**
 * Handles a failed admin call: a refused key (401) is forgotten and the gate asked for again.
 * Returns true when it did so.
 *
 * @example
 * catch (err) { if (!rejectKey(ctx, err, body, show)) list.replaceChildren(errorView(err)); }
 */
export function rejectKey(ctx, err, where, show) {
  if (err?.status !== 401) return false;
  ctx.setRegistry(null);
  where.replaceChildren(adminGate(ctx, show, errorView(err, "Admin key refused")));
  return true;
}
