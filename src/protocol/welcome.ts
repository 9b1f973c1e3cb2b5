import type { Identity, WelcomeLimits } from "./frames";

/**
 * The first frame a block receives, once it can be reached by others.
 *
 * @example
 * ```ts
 * ws.send(welcomeFrame(identity, { maxFrameBytes: 262144, apiTimeoutMs: 30000, pingIntervalMs: 20000 }));
 * ```
 */
export function welcomeFrame(identity: Identity, limits: WelcomeLimits): string {
  return JSON.stringify({ t: "welcome", v: 1, jid: identity.jid, from: identity, limits });
}
