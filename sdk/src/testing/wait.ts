import type { vi } from "vitest";
import type { NexusClient } from "../client";
import type { NexusError } from "../errors";
import type { ClientState } from "../options";

/**
 * Resolves when the client reaches `state` (at once if it is there already); tests wait on events, never on time.
 *
 * @example
 * ```ts
 * await waitState(nx, "disconnected");
 * ```
 */
export function waitState(nx: NexusClient, state: ClientState): Promise<void> {
  if (nx.state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = nx.on("state", (s) => {
      if (s !== state) return;
      off();
      resolve();
    });
  });
}

/**
 * Resolves with the client's next `error` event.
 *
 * @example
 * ```ts
 * const err = await nextError(nx);
 * expect(err.code).toBe("forbidden");
 * ```
 */
export function nextError(nx: NexusClient): Promise<NexusError> {
  return new Promise((resolve) => {
    const off = nx.on("error", (err) => {
      off();
      resolve(err);
    });
  });
}

/**
 * Fakes only the timers the SDK uses (and Date, for deadlines): socket I/O stays real, every delay is advanced exactly.
 *
 * @example
 * ```ts
 * vi.useFakeTimers(SDK_TIMERS);
 * ```
 */
export const SDK_TIMERS: Parameters<typeof vi.useFakeTimers>[0] = {
  toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
};
