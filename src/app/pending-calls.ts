import { randomSuffix } from "../identity/kinds";
import { ErrorCode } from "../protocol/codes";
import type { ApiOutcome } from "../protocol/frames";

interface Pending {
  rid: string;
  callKey: string;
  worker: string;
  resolve: (outcome: ApiOutcome) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The API calls that an app's workers have not answered yet, held by the target app's object.
 * Each settles exactly once: by the worker's answer, its timeout, the worker leaving, or the caller
 * cancelling. Anything that arrives after that is dropped.
 *
 * A `rid` is `r<instance>.<n>`: a random prefix drawn by each instance of the object (71 bits) and a
 * counter, so an object woken from hibernation or restarted never hands out a `rid` again, and a
 * worker's late answer to a call of an earlier instance matches nothing. (A counter kept in storage
 * would do it too, at the price of a storage write before each `api.req`.)
 *
 * @example
 * ```ts
 * const calls = new PendingCalls();
 * const outcome = calls.open({ callKey, worker: session.conn, timeoutMs: 30_000 }, (rid) => send(rid));
 * calls.answer(rid, session.conn, { ok: true, data: 3, from });
 * ```
 */
export class PendingCalls {
  private readonly byRid = new Map<string, Pending>();
  private readonly byCallKey = new Map<string, Pending>();
  private seq = 0;

  /** `instance`: this object instance's rid prefix; random unless a test fixes it. */
  constructor(private readonly instance: string = randomSuffix(12)) {}

  /** Opens a call; `send` delivers the request to the worker under the new `rid`. */
  open(call: { callKey: string; worker: string; timeoutMs: number }, send: (rid: string) => void): Promise<ApiOutcome> {
    const rid = `r${this.instance}.${(++this.seq).toString(36)}`;
    return new Promise<ApiOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.settle(rid, { ok: false, error: { code: ErrorCode.timeout, message: `no answer within ${call.timeoutMs} ms` } });
      }, call.timeoutMs);
      const pending: Pending = { rid, callKey: call.callKey, worker: call.worker, resolve, timer };
      this.byRid.set(rid, pending);
      this.byCallKey.set(call.callKey, pending);
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
    let n = 0;
    for (const p of [...this.byRid.values()]) {
      if (p.worker === worker) {
        this.settle(p.rid, {
          ok: false,
          error: { code: ErrorCode.worker_gone, message: "the worker disconnected before answering" },
        });
        n++;
      }
    }
    return n;
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

  private settle(rid: string, outcome: ApiOutcome): boolean {
    const p = this.byRid.get(rid);
    if (!p) return false;
    clearTimeout(p.timer);
    this.byRid.delete(rid);
    if (this.byCallKey.get(p.callKey) === p) this.byCallKey.delete(p.callKey);
    p.resolve(outcome);
    return true;
  }
}
