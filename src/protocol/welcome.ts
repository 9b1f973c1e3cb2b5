import type { Identity } from "./frames";

/**
 * The first frame a block receives, once it can be reached by others.
 *
 * @example
 * ```ts
 * ws.send(welcomeFrame(identity, { maxFrameBytes: 262144, apiTimeoutMs: 30000 }));
 * ```
 */
export function welcomeFrame(identity: Identity, limits: { maxFrameBytes: number; apiTimeoutMs: number }): string {
  return JSON.stringify({ t: "welcome", v: 1, jid: identity.jid, from: identity, limits });
}
