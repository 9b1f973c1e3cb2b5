import { ErrorCode } from "../protocol/codes";
import type { ApiOutcome } from "../protocol/frames";
import { DeadlineTimer, type TimerApi } from "./deadlines";

/**
 * How long past its own timeout a call to another app waits for that app's answer before giving up:
 * the target times the call out itself and sends that back; this covers a target that was lost.
 */
export const REMOTE_GRACE_MS = 2000;

/**
 * The calls this object's blocks have in flight at other apps' objects, waiting for their outcome.
 * Calls go out in batches (one call in flight per target app) and outcomes come back in batches
 * (one call in flight per calling app), so an outcome is matched to its call by the call's key.
 * Each call settles once: by its outcome, by the grace deadline past its timeout, or by `drop`.
 *
 * @example
 * ```ts
 * const remote = new RemoteCalls();
 * const outcome = remote.wait("c1:x", 30_000); // resolves when remote.settle("c1:x", outcome) is called
 * ```
 */
export class RemoteCalls {
  private readonly waiting = new Map<string, (outcome: ApiOutcome) => void>();
  /** Per target app: calls of local blocks not settled yet, by either path. */
  private readonly perTarget = new Map<string, number>();
  private readonly deadlines: DeadlineTimer<string>;
  private readonly now: () => number;

  constructor(timers?: TimerApi) {
    this.deadlines = new DeadlineTimer((key) => this.settle(key, lost()), timers);
    this.now = timers ? () => timers.now() : Date.now;
  }

  /** Waits for the outcome of the call with this key (one key waits once at a time). */
  wait(callKey: string, timeoutMs: number): Promise<ApiOutcome> {
    return new Promise((resolve) => {
      this.waiting.set(callKey, resolve);
      // A pending deadline also keeps the object from being evicted while the call is away.
      this.deadlines.set(callKey, this.now() + timeoutMs + REMOTE_GRACE_MS);
    });
  }

  /** Settles a waiting call; an outcome for a key that does not wait (any more) is dropped. */
  settle(callKey: string, outcome: ApiOutcome): void {
    const resolve = this.waiting.get(callKey);
    if (!resolve) return;
    this.waiting.delete(callKey);
    this.deadlines.delete(callKey);
    resolve(outcome);
  }

  /** Settles the calls of a caller that left (their outcome would have nowhere to go). */
  drop(callKeys: Iterable<string>): void {
    for (const key of callKeys)
      this.settle(key, { ok: false, error: { code: ErrorCode.disconnected, message: "the caller disconnected" } });
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Calls of local blocks to `target` not settled yet. */
  inFlight(target: string): number {
    return this.perTarget.get(target) ?? 0;
  }

  /** Counts a call to `target` until `outcome` settles; answers `outcome`. */
  track(target: string, outcome: Promise<ApiOutcome>): Promise<ApiOutcome> {
    this.perTarget.set(target, this.inFlight(target) + 1);
    return outcome.finally(() => {
      const n = this.inFlight(target) - 1;
      if (n === 0) this.perTarget.delete(target);
      else this.perTarget.set(target, n);
    });
  }
}

function lost(): ApiOutcome {
  return { ok: false, error: { code: ErrorCode.timeout, message: "no answer from the target app in time" } };
}
