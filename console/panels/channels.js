import { clock, field, h } from "../dom.js";
import { errorView } from "../errors.js";
import { channelBrowser } from "./channel-browser.js";

const MAX_LOG = 300;

/**
 * Channels: subscribe, a live log of messages with their senders (and of gaps: messages missed across a
 * reconnect the edge could not recover, or a seq that jumped), and publish (optionally retained).
 *
 * @example
 * const panel = channelsPanel(ctx); document.body.append(panel.el);
 */
export function channelsPanel(ctx) {
  const subs = new Map();
  const subName = field("Channel", { name: "sub-channel", required: true, pattern: "[A-Za-z0-9_.:\\/\\-]{1,128}" });
  const subOut = h("div", { class: "out" });
  const subList = h("ul", { class: "chips", "aria-label": "Subscriptions" });
  const log = h("ol", { class: "log", "aria-label": "Messages", "aria-live": "polite", "aria-relevant": "additions" });

  const pubName = field("Channel", { name: "pub-channel", required: true, pattern: "[A-Za-z0-9_.:\\/\\-]{1,128}" });
  const pubText = field("Message", { name: "pub-text", rows: 2 }, "textarea");
  const retain = h("input", { type: "checkbox", name: "retain" });
  const pubOut = h("div", { class: "out", "aria-live": "polite" });

  // The SDK calls handlers with (text, message); message carries channel, seq, retained and from.
  function onMessage(channel, text, m) {
    const from = m?.from ?? {};
    const entry = h(
      "li",
      { class: "msg", dataset: { channel: m?.channel ?? channel } },
      h(
        "span",
        { class: "meta" },
        clock(),
        " ",
        h("strong", {}, m?.channel ?? channel),
        ` #${m?.seq ?? "?"}`,
        m?.retained ? h("span", { class: "badge" }, "retained") : "",
      ),
      h("span", { class: "from" }, "from ", h("code", {}, from.jid ?? "?"), from.role ? ` (${from.role}, ${from.kind})` : ""),
      h("pre", { class: "data" }, text === "" ? "(empty: clears the retained value)" : text),
    );
    log.prepend(entry);
    while (log.children.length > MAX_LOG) log.lastElementChild?.remove();
  }

  // A gap: messages this console did not get (a reconnect the edge could not recover, or a seq that jumped).
  function onGap(g) {
    const missed =
      g.reason === "seq_jump"
        ? `#${g.afterSeq + 1}${g.nextSeq - 1 > g.afterSeq + 1 ? `–#${g.nextSeq - 1}` : ""} never arrived`
        : g.epochChanged
          ? "the channel started again (new epoch) while this console was away"
          : `messages after #${g.afterSeq ?? "?"} were published while this console was away and are no longer in the channel's history`;
    const entry = h(
      "li",
      { class: "gap", role: "note", dataset: { channel: g.channel, reason: g.reason } },
      h("span", { class: "meta" }, clock(), " ", h("strong", {}, g.channel), " ", h("span", { class: "badge warn" }, "gap")),
      h("span", {}, `Missed: ${missed}.`),
    );
    log.prepend(entry);
    while (log.children.length > MAX_LOG) log.lastElementChild?.remove();
  }

  // After a reconnect the SDK subscribes again; recovered messages simply appear in the log, in order.
  function onResubscribed(e) {
    if (!e.recovered) return; // the gap entry says what happened
    const entry = h(
      "li",
      { class: "recovered", dataset: { channel: e.channel } },
      h("span", { class: "meta" }, clock(), " ", h("strong", {}, e.channel), " ", h("span", { class: "badge" }, "recovered")),
      h("span", {}, `Reconnected; nothing was missed (up to #${e.seq ?? "?"}).`),
    );
    log.prepend(entry);
  }

  async function subscribe(e) {
    e?.preventDefault();
    const channel = subName.input.value.trim();
    if (subs.has(channel)) return;
    subOut.replaceChildren(h("p", {}, `Subscribing to ${channel}…`));
    try {
      const sub = await ctx.client.subscribe(channel, (text, m) => onMessage(channel, String(text), m));
      sub.on?.("gap", onGap);
      sub.on?.("resubscribed", onResubscribed);
      subs.set(channel, sub);
      renderSubs();
      subOut.replaceChildren(h("p", { class: "ok" }, `Subscribed to ${channel}.`));
      if (!pubName.input.value) pubName.input.value = channel;
    } catch (err) {
      subOut.replaceChildren(errorView(err, `Subscribe to ${channel}`));
    }
  }

  async function unsubscribe(channel) {
    const sub = subs.get(channel);
    subs.delete(channel);
    renderSubs();
    try {
      await sub?.unsubscribe();
      subOut.replaceChildren(h("p", { class: "ok" }, `Unsubscribed from ${channel}.`));
    } catch (err) {
      subOut.replaceChildren(errorView(err, `Unsubscribe from ${channel}`));
    }
    subName.input.focus();
  }

  function renderSubs() {
    subList.replaceChildren(
      ...[...subs.keys()].map((c) =>
        h(
          "li",
          {},
          h("code", {}, c),
          h("button", { type: "button", class: "small secondary", onclick: () => unsubscribe(c) }, `Unsubscribe ${c}`),
        ),
      ),
    );
  }

  async function publish(e) {
    e.preventDefault();
    const channel = pubName.input.value.trim();
    try {
      await ctx.client.publish(channel, pubText.input.value, { retain: retain.checked, ack: true });
      pubOut.replaceChildren(
        h("p", { class: "ok" }, `Published to ${channel}${retain.checked ? " (retained)" : ""} at ${clock()}.`),
      );
    } catch (err) {
      pubOut.replaceChildren(errorView(err, `Publish to ${channel}`));
    }
  }

  // The browser's "Watch" subscribes this console, so the channel's messages appear in the log below.
  const browser = channelBrowser(ctx, (channel) => {
    subName.input.value = channel;
    void subscribe();
  });

  const el = h(
    "section",
    { class: "panel" },
    h("h2", {}, "Channels"),
    browser.el,
    h(
      "div",
      { class: "cards" },
      h(
        "form",
        { class: "card", onsubmit: subscribe, "aria-label": "Subscribe" },
        h("h3", {}, "Subscribe"),
        subName.row,
        h("button", { type: "submit" }, "Subscribe"),
        subList,
        subOut,
      ),
      h(
        "form",
        { class: "card", onsubmit: publish, "aria-label": "Publish" },
        h("h3", {}, "Publish"),
        pubName.row,
        pubText.row,
        h("label", { class: "check" }, retain, "Retain as the channel's last value (empty message clears it)"),
        h("button", { type: "submit" }, "Publish"),
        pubOut,
      ),
    ),
    h(
      "div",
      { class: "log-head" },
      h("h3", {}, "Messages"),
      h("button", { type: "button", class: "small secondary", onclick: () => log.replaceChildren() }, "Clear log"),
    ),
    log,
  );

  return {
    el,
    show: browser.show,
    hide: browser.hide,
    // Closing the client ends every subscription on the server; nothing to undo one by one.
    dispose: () => {
      browser.dispose();
      subs.clear();
    },
  };
}
