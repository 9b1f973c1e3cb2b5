import { h } from "./dom.js";
import { apiPanel } from "./panels/api.js";
import { blocksPanel } from "./panels/blocks.js";
import { channelsPanel } from "./panels/channels.js";
import { directPanel } from "./panels/direct.js";
import { registryPanel } from "./panels/registry.js";
import { statsPanel } from "./panels/stats.js";
import { stateName } from "./session.js";
import { signInView } from "./sign-in.js";

const main = document.getElementById("main");
const status = document.getElementById("status");
const signOut = document.getElementById("sign-out");

const PANELS = [
  ["blocks", "Blocks", blocksPanel],
  ["channels", "Channels", channelsPanel],
  ["api", "API", apiPanel],
  ["direct", "Direct", directPanel],
  ["registry", "Registry", registryPanel],
  ["stats", "Stats", statsPanel],
];

let teardown = () => {};

function showSignIn() {
  teardown();
  teardown = () => {};
  status.textContent = "Signed out";
  signOut.hidden = true;
  main.replaceChildren(signInView({ onSignedIn: showConsole }));
  main.querySelector("input, textarea")?.focus();
}

function showConsole({ client, registry }) {
  const identity = client.identity ?? {};
  const ctx = {
    client,
    identity,
    registry,
    setRegistry(r) {
      ctx.registry = r;
    },
    goto(id, prefill) {
      select(id);
      panels.get(id)?.prefill?.(prefill);
    },
  };

  const panels = new Map();
  const tabs = h("nav", { class: "tabs", "aria-label": "Panels" });
  const body = h("div", { class: "panels" });
  for (const [id, title, create] of PANELS) {
    const panel = create(ctx);
    panel.el.id = `panel-${id}`;
    panel.el.hidden = true;
    panel.el.setAttribute("aria-labelledby", `tab-${id}`);
    panels.set(id, panel);
    tabs.append(h("button", { type: "button", id: `tab-${id}`, "aria-controls": panel.el.id, onclick: () => select(id) }, title));
    body.append(panel.el);
  }

  let current;
  function select(id) {
    if (current === id) return;
    if (current) panels.get(current)?.hide?.();
    current = id;
    for (const [pid, panel] of panels) {
      panel.el.hidden = pid !== id;
      tabs.querySelector(`#tab-${pid}`)?.setAttribute("aria-current", pid === id ? "page" : "false");
    }
    panels.get(id)?.show?.();
  }

  const describe = (s) => {
    status.replaceChildren(
      h("span", { class: `dot dot-${s}` }),
      `${s} as `,
      h("code", { class: "jid" }, client.jid ?? identity.jid ?? "?"),
      // closed is final (expired token, replaced by a newer connection, policy): only a new sign-in helps.
      s === "closed" ? " — the connection ended; sign out and sign in again" : "",
      s === "disconnected" ? " — reconnecting…" : "",
    );
  };
  describe(stateName(client.state ?? "connected"));
  const off = client.on?.("state", (s) => describe(stateName(s)));

  teardown = () => {
    for (const panel of panels.values()) panel.dispose?.();
    if (typeof off === "function") off();
    client.close?.();
  };
  signOut.hidden = false;
  main.replaceChildren(tabs, body);
  select("blocks");
  tabs.querySelector("button")?.focus();
}

signOut.addEventListener("click", showSignIn);
showSignIn();
