import { explainRefusal, precheckToken } from "./token-check.js";

const KIND = "webuo";

/**
 * Opens the console's own connection, as a `webuo` block (an Admin Panel frontend), through the
 * SDK build the edge serves at /sdk/index.js. Loaded lazily so a missing SDK build is reported
 * on the sign-in screen instead of leaving a blank page.
 *
 * @example
 * const client = await openSession(token);
 * client.jid; // "shop-u1-owner@qepal.com/webuoX1y2Z3a4"
 */
export async function openSession(token) {
  let sdk;
  try {
    sdk = await import("/sdk/index.js");
  } catch (err) {
    throw Object.assign(new Error(`the SDK build (/sdk/index.js) did not load: ${err.message}`), { code: "http" });
  }
  if (typeof sdk.connect !== "function") {
    throw Object.assign(new Error("the SDK build at /sdk/index.js has no connect(); run npm run build:sdk"), { code: "http" });
  }
  precheckToken(token, KIND);
  let client;
  try {
    // The SDK appends /v1/connect to the edge's base URL; the console is served by that same edge.
    client = await sdk.connect({ url: location.origin, token, kind: KIND });
  } catch (err) {
    const why = await explainRefusal(token, KIND);
    if (why) throw Object.assign(new Error(why.message), { code: why.code, cause: err });
    if (err?.code === "disconnected") {
      err.message = `${err.message}. The edge refused the connection or could not be reached; a browser cannot see why. Check that the token is signed for this edge.`;
    }
    throw err;
  }
  await connected(client);
  return client;
}

/** Resolves once the client is connected; works whether connect() resolved before or after the welcome. */
function connected(client) {
  if (client.state === "connected" || client.jid) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const off = client.on("state", (s) => {
      const state = typeof s === "string" ? s : s?.state;
      if (state === "connected") {
        stop();
        resolve();
      } else if (state === "closed" || state === "disconnected") {
        stop();
        reject(s?.error ?? Object.assign(new Error("the connection closed before it was ready"), { code: "disconnected" }));
      }
    });
    function stop() {
      if (typeof off === "function") off();
    }
  });
}

/**
 * The state name from a state event, whatever its shape.
 *
 * @example
 * client.on("state", (s) => (badge.textContent = stateName(s)));
 */
export function stateName(s) {
  return typeof s === "string" ? s : (s?.state ?? "unknown");
}
