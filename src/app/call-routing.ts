import type { CallRequest, Refusal, TargetRequest } from "../do-contracts";
import type { ApiOutcome, Identity } from "../protocol/frames";
import type { AppBlocks } from "./app-blocks";
import type { BoundApp } from "./bound-app";
import { PendingCalls } from "./pending-calls";
import type { Registry } from "./registry";
import { type RotationStore, RoundRobin } from "./round-robin";
import { authorize, callTarget, directTarget, failed, isRefusal } from "./routing";
import { send } from "./send";

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
  readonly pending = new PendingCalls();
  readonly rr: RoundRobin;

  constructor(
    private readonly app: BoundApp,
    private readonly registry: Registry,
    private readonly blocks: AppBlocks,
    rotation: RotationStore,
  ) {
    this.rr = new RoundRobin(rotation);
  }

  /** Pools whose round-robin position is kept (for the stats route). */
  get rotations(): number {
    return this.rr.size;
  }

  routeCall(caller: Identity, callerFromJson: string, req: CallRequest): Promise<ApiOutcome> {
    const auth = authorize(this.registry, this.app.name ?? "", caller, req);
    if (isRefusal(auth)) return Promise.resolve(failed(auth));
    const worker = callTarget(this.blocks.index, this.rr, auth.targetUid, req.method, req.resource);
    if (isRefusal(worker)) return Promise.resolve(failed(worker));
    const head = `{"t":"api.req","rid":`;
    const tail = `,"method":${JSON.stringify(req.method)},"from":${callerFromJson},"data":${JSON.stringify(req.data ?? null)}}`;
    return this.pending.open({ callKey: req.callKey, worker: worker.conn, timeoutMs: req.timeoutMs }, (rid) => {
      // A worker that closed a moment ago is still indexed until its close is handled: fail fast.
      if (!send(worker.ws, `${head}"${rid}"${tail}`)) queueMicrotask(() => this.pending.workerGone(worker.conn));
    });
  }

  /** Delivers a Direct; answers the refusal, or null when it was delivered. */
  routeDirect(caller: Identity, callerFromJson: string, req: TargetRequest & { resource: string; data: string }): Refusal | null {
    const auth = authorize(this.registry, this.app.name ?? "", caller, req);
    if (isRefusal(auth)) return auth;
    const target = directTarget(this.blocks.index, auth.targetUid, req.resource);
    if (isRefusal(target)) return target;
    send(target.ws, `{"t":"direct","from":${callerFromJson},"data":${JSON.stringify(req.data)}}`);
    return null;
  }
}
