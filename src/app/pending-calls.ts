import type { Refusal } from "../do-contracts";
import { randomSuffix } from "../identity/kinds";
import { ErrorCode, Quota } from "../protocol/codes";
import type { ApiOutcome } from "../protocol/frames";
import { DeadlineTimer, type TimerApi } from "./deadlines";

interface Pending {
  rid: string;
  callKey: string;
  worker: string;
  /** The calling uid, for maxPendingCallsPerUser. */
  caller: string;
  timeoutMs: number;
  resolve: (outcome: ApiOutcome) => void;
}

/** How many calls may wait at once: per calling user, and in all. */
export interface PendingLimits {
  maxPendingCallsPerUser: number;
  maxPendingCallsPerApp: number;
}

const UNBOUNDED: PendingLimits = {
  maxPendingCallsPerUser: Number.POSITIVE_INFINITY,
  maxPendingCallsPerApp: Number.POSITIVE_INFINITY,
};

/**
 * The API calls that an app's workers have not answered yet, held by the target app's object.
 * Each settles exactly once: by the worker's answer, its timeout, the worker leaving, or the caller
 * cancelling. Anything that arrives after that is dropped. Timeouts share one timer for the
 * nearest deadline (workerd allows an object at most 10,000 active timers).
 *
 * A `rid` is `r<instance>.<n>`: a random prefix drawn by each instance of the object (71 bits) and a
 * counter, so an object woken from hibernation or restarted never hands out a `rid` again, and a
 * worker's late answer to a call of an earlier instance matches nothing. (A counter kept in storage
 * would do it too, at the price of a storage write before each `api.req`.)
 *
 * @example
 * ```ts
 * const calls = new PendingCalls();
 * const outcome = calls.open({ callKey, worker: session.conn, caller: uid, timeoutMs: 30_000 }, (rid) => send(rid));
 * calls.answer(rid, session.conn, { ok: true, data: 3, from });
 * ```
 */
export class PendingCalls {
  private readonly byRid = new Map<string, Pending>();
  private readonly byCallKey = new Map<string, Pending>();
  private readonly byWorker = new Map<string, Set<Pending>>();
  private readonly byCaller = new Map<string, number>();
  private readonly timeouts: DeadlineTimer<string>;
  private readonly now: () => number;
  private seq = 0;

  constructor(
    private readonly limits: PendingLimits = UNBOUNDED,
    timers?: TimerApi,
    /** This object instance's rid prefix; random unless a test fixes it. */
    private readonly instance: string = randomSuffix(12),
  ) {
    this.timeouts = new DeadlineTimer((rid) => this.expire(rid), timers);
    this.now = timers ? () => timers.now() : Date.now;
  }

  /** The quota a new call from `caller` would exceed, if any (checked before a worker is chosen). */
  refusal(caller: string): Refusal | undefined {
    const { maxPendingCallsPerUser: perUser, maxPendingCallsPerApp: perApp } = this.limits;
    if ((this.byCaller.get(caller) ?? 0) >= perUser) {
      const message = `this user already has ${perUser} calls in flight to this app (${Quota.maxPendingCallsPerUser} is ${perUser})`;
      return { code: ErrorCode.quota_exceeded, quota: Quota.maxPendingCallsPerUser, message };
    }
    if (this.byRid.size >= perApp) {
      const message = `this app's workers already have ${perApp} calls in flight (${Quota.maxPendingCallsPerApp} is ${perApp})`;
      return { code: ErrorCode.quota_exceeded, quota: Quota.maxPendingCallsPerApp, message };
    }
    return undefined;
  }

  /** Opens a call; `send` delivers the request to the worker under the new `rid`. */
  open(
    call: { callKey: string; worker: string; caller?: string; timeoutMs: number },
    send: (rid: string) => void,
  ): Promise<ApiOutcome> {
    const rid = `r${this.instance}.${(++this.seq).toString(36)}`;
    return new Promise<ApiOutcome>((resolve) => {
      const caller = call.caller ?? "";
      const pending: Pending = { rid, callKey: call.callKey, worker: call.worker, caller, timeoutMs: call.timeoutMs, resolve };
      this.byRid.set(rid, pending);
      this.byCallKey.set(call.callKey, pending);
      let forWorker = this.byWorker.get(call.worker);
      if (!forWorker) {
        forWorker = new Set();
        this.byWorker.set(call.worker, forWorker);
      }
      forWorker.add(pending);
      this.byCaller.set(caller, (this.byCaller.get(caller) ?? 0) + 1);
      this.timeouts.set(rid, this.now() + call.timeoutMs);
      send(rid);
    });
  }

  /** A worker's answer; ignored unless `rid` is open and was sent to this very worker. */
  answer(rid: string, worker: string, outcome: ApiOutcome): boolean {
    const pending = this.byRid.get(rid);
    if (!pending || pending.worker !== worker) return false;
    return this.settle(rid, outcome);
  }

  /** Fails every call sent to a worker that disconnected. */
  workerGone(worker: string): number {
    const calls = [...(this.byWorker.get(worker) ?? [])];
    for (const p of calls) {
      this.settle(p.rid, {
        ok: false,
        error: { code: ErrorCode.worker_gone, message: "the worker disconnected before answering" },
      });
    }
    return calls.length;
  }

  /** Drops calls whose caller went away; their late answers are then dropped too. */
  cancel(callKeys: Iterable<string>, reason = "the caller disconnected"): void {
    for (const key of callKeys) {
      const p = this.byCallKey.get(key);
      if (p) this.settle(p.rid, { ok: false, error: { code: ErrorCode.disconnected, message: reason } });
    }
  }

  get size(): number {
    return this.byRid.size;
  }

  /** Calls indexed by their caller's key (equal to `size` unless something leaks). */
  get callerKeys(): number {
    return this.byCallKey.size;
  }

  /** Workers and calling users with calls pending, and the deadlines queued (for the stats route). */
  get indexSizes(): { workers: number; callers: number; deadlines: number } {
    return { workers: this.byWorker.size, callers: this.byCaller.size, deadlines: this.timeouts.size };
  }

  /** Active timers this structure holds: 0 or 1, however many calls wait. */
  get timersActive(): number {
    return this.timeouts.timersActive;
  }

  private expire(rid: string): void {
    const p = this.byRid.get(rid);
    if (p) this.settle(rid, { ok: false, error: { code: ErrorCode.timeout, message: `no answer within ${p.timeoutMs} ms` } });
  }

  private settle(rid: string, outcome: ApiOutcome): boolean {
    const p = this.byRid.get(rid);
    if (!p) return false;
    this.timeouts.delete(rid);
    this.byRid.delete(rid);
    if (this.byCallKey.get(p.callKey) === p) this.byCallKey.delete(p.callKey);
    const forWorker = this.byWorker.get(p.worker);
    forWorker?.delete(p);
    if (forWorker?.size === 0) this.byWorker.delete(p.worker);
    const n = (this.byCaller.get(p.caller) ?? 1) - 1;
    if (n === 0) this.byCaller.delete(p.caller);
    else this.byCaller.set(p.caller, n);
    p.resolve(outcome);
    return true;
  }
}
