import { field, h } from "./dom.js";
import { errorView } from "./errors.js";
import { RegistryClient } from "./registry-client.js";
import { openSession } from "./session.js";

/**
 * The sign-in screen: paste a token, or (local stack) mint a development token with the admin key.
 * Calls `onSignedIn({ client, registry })` once the console's block is connected.
 *
 * @example
 * main.replaceChildren(signInView({ onSignedIn: showConsole }));
 */
export function signInView({ onSignedIn }) {
  const out = h("div", { class: "out", "aria-live": "polite" });

  const token = field("Token (JWT)", { name: "token", required: true, rows: 3 }, "textarea");
  const tokenForm = h(
    "form",
    { class: "card", "aria-labelledby": "token-title" },
    h("h2", { id: "token-title" }, "Sign in with a token"),
    h("p", { class: "hint" }, "A token from the platform's issuer. The console connects as a webuo block."),
    token.row,
    h("button", { type: "submit" }, "Sign in with token"),
  );

  const adminKey = field("Admin key", { name: "adminKey", type: "password", required: true });
  const uid = field("User id (uid)", { name: "uid", required: true, pattern: "[A-Za-z0-9_]{1,64}" });
  const app = field("App", { name: "app", required: true, pattern: "[a-z0-9][a-z0-9_\\-]{0,62}" });
  // Channel capabilities: comma-separated names or prefixes ending in *; left empty, every channel.
  const pub = field("May publish on (pub, optional)", { name: "pub", placeholder: "status/dev1, telemetry/*" });
  const sub = field("May subscribe to (sub, optional)", { name: "sub", placeholder: "prices, news/*" });
  const keyForm = h(
    "form",
    { class: "card", "aria-labelledby": "key-title" },
    h("h2", { id: "key-title" }, "Local stack: sign in with the admin key"),
    h("p", { class: "hint" }, "Mints a development token (POST /v1/admin/tokens) and unlocks Registry and Stats."),
    adminKey.row,
    uid.row,
    app.row,
    pub.row,
    sub.row,
    h("button", { type: "submit" }, "Sign in with admin key"),
  );

  async function signIn(form, getToken, registry) {
    const buttons = form.querySelectorAll("button");
    for (const b of buttons) b.disabled = true;
    out.replaceChildren(h("p", {}, "Connecting…"));
    try {
      const client = await openSession(await getToken());
      out.replaceChildren();
      onSignedIn({ client, registry });
    } catch (err) {
      out.replaceChildren(errorView(err, "Sign-in failed"));
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }

  tokenForm.addEventListener("submit", (e) => {
    e.preventDefault();
    signIn(tokenForm, async () => token.input.value.trim(), null);
  });
  keyForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const registry = new RegistryClient(location.origin, adminKey.input.value.trim());
    const claims = { uid: uid.input.value.trim(), app: app.input.value.trim(), kinds: ["webuo"] };
    for (const [name, f] of [
      ["pub", pub],
      ["sub", sub],
    ]) {
      const patterns = f.input.value
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "");
      if (patterns.length > 0) claims[name] = patterns;
    }
    signIn(keyForm, async () => (await registry.mintToken(claims)).token, registry);
  });

  return h("section", { class: "sign-in", "aria-label": "Sign in" }, h("div", { class: "cards" }, keyForm, tokenForm), out);
}
