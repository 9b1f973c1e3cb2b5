import { adminGate, rejectKey } from "../admin-gate.js";
import { clock, field, h, replace, select } from "../dom.js";
import { errorView } from "../errors.js";

/**
 * Registry (admin key): list apps, create or re-own an app, grant and revoke a user's access.
 *
 * @example
 * const panel = registryPanel(ctx); panel.show();
 */
export function registryPanel(ctx) {
  const body = h("div");
  const out = h("div", { class: "out", "aria-live": "polite" });
  const list = h("div", { class: "table-wrap" });
  const updated = h("p", { class: "hint" });

  const newApp = field("App", { name: "reg-app", required: true, pattern: "[a-z0-9][a-z0-9_\\-]{0,62}" });
  const newOwner = field("Owner uid", { name: "reg-owner", required: true, pattern: "[A-Za-z0-9_]{1,64}" });
  const grantApp = field("App", { name: "grant-app", required: true });
  const grantUid = field("User id", { name: "grant-uid", required: true, pattern: "[A-Za-z0-9_]{1,64}" });
  const grantKind = select("Grant kind", ["get", "purchase"], { name: "grant-kind" });

  async function run(what, action) {
    try {
      await action();
      out.replaceChildren(h("p", { class: "ok" }, `${what}: done at ${clock()}.`));
      await load();
    } catch (err) {
      out.replaceChildren(errorView(err, what));
    }
  }

  async function load() {
    try {
      const apps = (await ctx.registry.listApps()).sort((a, b) => a.app.localeCompare(b.app));
      replace(list, appsTable(apps));
      updated.textContent = `Updated ${clock()}`;
    } catch (err) {
      if (!rejectKey(ctx, err, body, show)) replace(list, errorView(err, "List apps"));
    }
  }

  function appsTable(apps) {
    if (apps.length === 0) return h("p", { class: "empty" }, "No apps registered yet.");
    return h(
      "table",
      { dataset: { list: "apps" } },
      h("thead", {}, h("tr", {}, h("th", {}, "App"), h("th", {}, "Owner"), h("th", {}, "Online"), h("th", {}, "Grants"))),
      h(
        "tbody",
        {},
        ...apps.map((a) =>
          h(
            "tr",
            { dataset: { app: a.app } },
            h("td", { "data-label": "App" }, h("code", {}, a.app)),
            h("td", { "data-label": "Owner" }, h("code", {}, a.owner)),
            h("td", { "data-label": "Online" }, String(a.online ?? 0)),
            h("td", { "data-label": "Grants" }, grantsList(a)),
          ),
        ),
      ),
    );
  }

  function grantsList(a) {
    const grants = a.grants ?? [];
    if (grants.length === 0) return h("span", { class: "empty" }, "none");
    return h(
      "ul",
      { class: "chips" },
      ...grants.map((g) =>
        h(
          "li",
          { dataset: { uid: g.uid } },
          h("code", {}, g.uid),
          ` ${g.kind}`,
          h(
            "button",
            {
              type: "button",
              class: "small danger",
              "aria-label": `Revoke ${g.uid} on ${a.app}`,
              onclick: () => run(`Revoke ${g.uid} on ${a.app}`, () => ctx.registry.revoke(a.app, g.uid)),
            },
            "Revoke",
          ),
        ),
      ),
    );
  }

  const createForm = h(
    "form",
    { class: "card", "aria-label": "Create or re-own an app" },
    h("h3", {}, "Create or re-own an app"),
    newApp.row,
    newOwner.row,
    h("button", { type: "submit" }, "Save app"),
  );
  createForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const app = newApp.input.value.trim();
    run(`Save app ${app}`, () => ctx.registry.putApp(app, newOwner.input.value.trim()));
  });

  const grantForm = h(
    "form",
    { class: "card", "aria-label": "Grant access" },
    h("h3", {}, "Grant a user access"),
    grantApp.row,
    grantUid.row,
    grantKind.row,
    h("button", { type: "submit" }, "Grant"),
  );
  grantForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const app = grantApp.input.value.trim();
    const uid = grantUid.input.value.trim();
    run(`Grant ${uid} on ${app}`, () => ctx.registry.grant(app, uid, grantKind.input.value));
  });

  const unlocked = h(
    "div",
    {},
    h("div", { class: "toolbar" }, h("button", { type: "button", onclick: load }, "Refresh apps"), updated),
    list,
    h("div", { class: "cards" }, createForm, grantForm),
  );

  function show() {
    if (!ctx.registry) {
      replace(body, adminGate(ctx, show));
      return;
    }
    if (body.firstChild !== unlocked) replace(body, unlocked);
    load();
  }

  const el = h("section", { class: "panel" }, h("h2", {}, "Registry"), out, body);
  return { el, show };
}
