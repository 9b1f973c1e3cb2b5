import { h } from "./dom.js";

/**
 * What a user can do about each error code of the contract (plus the console's own `bad_json`
 * and `http`). The meaning of every wire code is in src/protocol/codes.ts; this is the advice.
 *
 * @example
 * ADVICE.forbidden; // "Ask the app's owner for a grant..."
 */
export const ADVICE = {
  unauthorized: "The token or admin key is missing, wrong or expired. Paste a fresh token, or mint one with the admin key.",
  forbidden: "You have no access. Ask the app's owner for a grant (Registry → Grant), or sign in as the owner.",
  not_found: "The app is not registered. Check the spelling, or create it in Registry.",
  offline: "That worker is not online. Check Blocks for its exact resource and uid.",
  not_a_worker: "The target is a frontend (webuo/webxo) and cannot receive calls. Pick a worker resource.",
  no_responders: "No online worker serves this method. Start a worker that serves it, or check the method name.",
  worker_gone: "The worker disconnected before it answered. Try again once it is back (see Blocks).",
  timeout: "No answer in time. Check the worker is healthy, or raise the timeout (30000 ms at most).",
  app_error: "The worker itself reported this failure; the message comes from the app's code.",
  bad_request: "Something in the request is malformed. Names use A-Z a-z 0-9 _ . : / - (at most 128).",
  too_large: "The message is larger than the server's frame limit. Send less data.",
  rate_limited: "You are sending too fast. Wait a moment, then try again.",
  internal: "The server failed; nothing about your request was wrong. Try again; report it if it persists.",
  disconnected: "The connection dropped while waiting. The console reconnects; try again once it says connected.",
  bad_json: "The data is not valid JSON. Check quotes, commas and brackets.",
  http: "The server answered with an unexpected HTTP status. Check that the edge is running and up to date.",
};

/**
 * Advice when the code came from the worker's own answer (`api.res` with ok:false): the worker may
 * send only `app_error` or `bad_request`, and neither means the console's request was malformed.
 */
export const WORKER_ADVICE = {
  app_error: ADVICE.app_error,
  bad_request:
    "The worker refused the data as a bad request; the message comes from the worker's code. Check the data it expects.",
};

/**
 * The error code of anything thrown: a NexusError, a RegistryError, or a plain failure (internal).
 *
 * @example
 * codeOf(new NexusError("forbidden", "no grant")); // "forbidden"
 */
export function codeOf(err) {
  if (err && typeof err === "object" && typeof err.code === "string") return err.code;
  return "internal";
}

/**
 * A registry (HTTP) failure carrying the contract's code, so it renders like a wire error.
 *
 * @example
 * throw new RegistryError("forbidden", "no such key", 403);
 */
export class RegistryError extends Error {
  constructor(code, message, status) {
    super(message);
    this.name = "RegistryError";
    this.code = code;
    this.status = status;
  }
}

/**
 * Renders an error as code, message and advice, in an alert region screen readers announce.
 * `fromWorker`: the code is the worker's own answer to a call (see WORKER_ADVICE).
 *
 * @example
 * out.replaceChildren(errorView(err));
 * out.replaceChildren(errorView(err, "shop.sum", { fromWorker: true }));
 */
export function errorView(err, context, options = {}) {
  const code = codeOf(err);
  const advice = (options.fromWorker ? WORKER_ADVICE[code] : undefined) ?? ADVICE[code];
  const message = err instanceof Error ? err.message : String(err);
  return h(
    "div",
    { class: "error", role: "alert", dataset: { code } },
    h("p", {}, context ? `${context}: ` : "", h("code", { class: "error-code" }, code), message ? ` — ${message}` : ""),
    h("p", { class: "advice" }, advice ?? "Unexpected error code; see the message."),
  );
}
