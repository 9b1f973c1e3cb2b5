import type { CallRequest, Refusal, TargetRequest } from "../do-contracts";
import type { ApiOutcome, Identity } from "../protocol/frames";
import type { AppBlocks } from "./app-blocks";
import type { BoundApp } from "./bound-app";
import { PendingCalls, type PendingLimits } from "./pending-calls";
import type { Registry } from "./registry";
import { type RotationStore, RoundRobin } from "./round-robin";
import { authorize, callTarget, directTarget, failed, isRefusal } from "./routing";
import type { Session } from "./session";

/** A worker that lets calls time out keeps their credits; this caps what it can save up. */
const MAX_CREDITS = 10_000;

/**
 * Calls and Directs to this app's workers, whether they come from a local block or from another
 * app's object: the permission rule, the choice of worker, and the calls still waiting for an answer.
 *
 * @example
 * ```ts
 * const outcome = await calls.routeCall(caller, callerFromJson, { callKey, method: "sum", data, timeoutMs: 30_000 });
 * ```
 */
export class CallRouting {
  readonly pending: PendingCalls;
  readonly rr: RoundRobin;

  constructor(
    private readonly app: BoundApp,
    private readonly registry: Registry,
    private readonly blocks: AppBlocks,
    limits: PendingLimits,
    private readonly send: (to: Session, text: string) => boolean,
    rotation: RotationStore,
  ) {
    this.pending = new PendingCalls(limits);
    this.rr = new RoundRobin(rotation);
  }

  /** Pools whose round-robin position is kept (for the stats route). */
  get rotations(): number {
    return this.rr.size;
  }

  routeCall(caller: Identity, callerFromJson: string, req: CallRequest): Promise<ApiOutcome> {
    return Promise.resolve(this.routeCallNow(caller, callerFromJson, req));
  }

  /** Routes a call: its outcome at once when it is refused, else a promise of the worker's answer. */
  routeCallNow(caller: Identity, callerFromJson: string, req: CallRequest): ApiOutcome | Promise<ApiOutcome> {
    const auth = authorize(this.registry, this.app.name ?? "", caller, req);
    if (isRefusal(auth)) return failed(auth);
    // After the permission check, so that a caller without access learns nothing of the app's load.
    const quota = this.pending.refusal(caller.uid);
    if (quota) return failed(quota);
    const worker = callTarget(this.blocks.index, this.rr, auth.targetUid, req.method, req.resource);
    if (isRefusal(worker)) return failed(worker);
    const head = `{"t":"api.req","rid":`;
    const tail = `,"method":${JSON.stringify(req.method)},"from":${callerFromJson},"data":${JSON.stringify(req.data ?? null)}}`;
    const call = { callKey: req.callKey, worker: worker.conn, caller: caller.uid, timeoutMs: req.timeoutMs };
    return this.pending.open(call, (rid) => {
      // A worker that closed a moment ago is still indexed until its close is handled: fail fast.
      if (!this.send(worker, `${head}"${rid}"${tail}`)) queueMicrotask(() => this.pending.workerGone(worker.conn));
      else if (worker.credits < MAX_CREDITS) worker.credits++;
    });
  }

  /** Delivers a Direct; answers the refusal, or null when it was delivered. */
  routeDirect(caller: Identity, callerFromJson: string, req: TargetRequest & { resource: string; data: string }): Refusal | null {
    const auth = authorize(this.registry, this.app.name ?? "", caller, req);
    if (isRefusal(auth)) return auth;
    const target = directTarget(this.blocks.index, auth.targetUid, req.resource);
    if (isRefusal(target)) return target;
    this.send(target, `{"t":"direct","from":${callerFromJson},"data":${JSON.stringify(req.data)}}`);
    return null;
  }
}
