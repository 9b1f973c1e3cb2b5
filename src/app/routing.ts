import type { Refusal, TargetRequest } from "../do-contracts";
import { parseResource } from "../identity/kinds";
import { ErrorCode } from "../protocol/codes";
import type { ApiOutcome, Identity } from "../protocol/frames";
import type { Registry } from "./registry";
import type { RoundRobin } from "./round-robin";
import type { Session } from "./session";
import type { SessionIndex } from "./session-index";

const refuse = (code: ErrorCode, message: string): Refusal => ({ code, message });

/** The refusal of a request naming an app that is not in the registry. */
export function unknownApp(app: string): Refusal {
  return refuse(ErrorCode.not_found, `app "${app}" is not in the registry`);
}

/** Key of a block within its app: role is derived, so (uid, resource) is what names it. */
export function blockKey(uid: string, resource: string): string {
  return `${uid}/${resource}`;
}

/**
 * The permission rule, checked in the contract's order: `not_found` (unknown app), then
 * `forbidden`. A call naming a user-role worker (`uid` other than the owner's) is allowed to that
 * uid itself and to the app's owner; anything else needs same app, ownership or a grant.
 * Returns the uid whose workers the request targets.
 */
export function authorize(
  registry: Registry,
  app: string,
  caller: Identity,
  req: TargetRequest,
): Refusal | { targetUid: string } {
  const owner = registry.owner();
  if (owner === undefined) return unknownApp(app);
  if (req.uid !== undefined && req.uid !== owner) {
    if (caller.uid !== req.uid && caller.uid !== owner) {
      return refuse(ErrorCode.forbidden, "a user's worker may be reached only by that user or the app's owner");
    }
    return { targetUid: req.uid };
  }
  if (!registry.mayCall(caller, app)) return refuse(ErrorCode.forbidden, `no grant on app "${app}"`);
  return { targetUid: owner };
}

/** Finds the named block for a Direct: `offline` when it is not connected, `not_a_worker` for a frontend. */
export function directTarget<S>(index: SessionIndex<S>, targetUid: string, resource: string): Refusal | Session<S> {
  const target = index.byKey.get(blockKey(targetUid, resource));
  if (!target) return refuse(ErrorCode.offline, `${resource} is not online`);
  if (!target.worker) return refuse(ErrorCode.not_a_worker, `${resource} is a frontend and receives no directs`);
  return target;
}

/**
 * Chooses the worker for a call: the named one, or round-robin over the target uid's workers that
 * serve the method.
 */
export function callTarget<S>(
  index: SessionIndex<S>,
  rr: RoundRobin,
  targetUid: string,
  method: string,
  resource: string | undefined,
): Refusal | Session<S> {
  if (resource !== undefined) {
    const target = index.byKey.get(blockKey(targetUid, resource));
    if (!target) return refuse(ErrorCode.no_responders, `${resource} is not online`);
    if (!target.worker) return refuse(ErrorCode.not_a_worker, `${resource} is a frontend and serves no methods`);
    if (!target.methods.has(method) && !target.methods.has("*")) {
      return refuse(ErrorCode.no_responders, `${resource} does not serve "${method}"`);
    }
    return target;
  }
  const worker = rr.pick(targetUid, method, index.servers(targetUid, method));
  return worker ?? refuse(ErrorCode.no_responders, `no online worker serves "${method}"`);
}

/** A resource named by a client must parse, or the frame is malformed. */
export function validTargetResource(resource: string | undefined): boolean {
  return resource === undefined || parseResource(resource) !== undefined;
}

export function isRefusal(value: unknown): value is Refusal {
  // Sessions and `{ targetUid }` never carry a `code`; refusals always do.
  return typeof value === "object" && value !== null && "code" in value;
}

/** The failure outcome of a call. */
export function failed(r: Refusal): ApiOutcome {
  return {
    ok: false,
    error: r.quota === undefined ? { code: r.code, message: r.message } : { code: r.code, quota: r.quota, message: r.message },
  };
}
