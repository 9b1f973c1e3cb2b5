import { setTimeout as delay } from "node:timers/promises";

/**
 * Waits `ms` unless `signal` aborts first; resolves true when the full time passed.
 * A pace for load generation, never a synchronisation.
 *
 * @example
 * ```ts
 * while (await pause(jittered(3000), stop.signal)) await nx.api(app, "echo", null);
 * ```
 */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  return delay(ms, true, { signal }).catch(() => false);
}

/**
 * `ms` spread evenly over half to one and a half times itself, so that a thousand clients started
 * together do not act in lockstep.
 *
 * @example
 * ```ts
 * jittered(1000); // between 500 and 1500
 * ```
 */
export function jittered(ms: number): number {
  return ms * (0.5 + Math.random());
}

/**
 * The error code of a rejection: a `NexusError`'s `code`, else "exception".
 *
 * @example
 * ```ts
 * nx.api(app, "echo", null).catch((err) => metrics.error(codeOf(err)));
 * ```
 */
export function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : "exception";
}

/**
 * Waits for `work` at most `ms`; resolves true when it settled in time. The timer is cleared either way.
 *
 * @example
 * ```ts
 * if (!(await within(Promise.all(inFlight), 40_000))) console.log("results missing");
 * ```
 */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = work.then(
    () => true,
    () => true,
  );
  const outcome = await Promise.race([settled, pause(ms, timer.signal).then(() => false)]);
  timer.abort();
  return outcome;
}
