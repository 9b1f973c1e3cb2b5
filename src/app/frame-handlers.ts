import { BatchQueueFull } from "../batcher";
import type { CallRequest } from "../do-contracts";
import { UID_PATTERN } from "../identity/jid";
import { parseResource } from "../identity/kinds";
import { decodeClientFrame, peekId } from "../protocol/codec";
import { CloseCode, ErrorCode, Quota } from "../protocol/codes";
import type { ApiOutcome, BlockInfo, ClientFrame, WireError } from "../protocol/frames";
import type { Joined } from "./app-channels";
import type { FrameContext } from "./frame-context";
import type { Admission } from "./frame-gate";
import { connectionBucket } from "./rate-limit";
import { failed, unknownApp, validTargetResource } from "./routing";
import type { Session } from "./session";

type Frame<T extends ClientFrame["t"]> = Extract<ClientFrame, { t: T }>;

function sendError(app: FrameContext, s: Session, id: string | undefined, code: ErrorCode, message: string, quota?: Quota): void {
  app.send(s, JSON.stringify({ t: "error", id, code, quota, message })); // undefined fields are left out
}

function quotaExceeded(app: FrameContext, s: Session, id: string | undefined, quota: Quota, limit: number, what: string): void {
  sendError(app, s, id, ErrorCode.quota_exceeded, `${what} (${quota} is ${limit})`, quota);
}

function ack(app: FrameContext, s: Session, id: string): void {
  app.send(s, `{"t":"ack","id":${JSON.stringify(id)}}`);
}

const REFUSED: Record<Exclude<Admission, "ok" | "abuse">, string> = {
  limited: "too many frames from this connection; slow down",
  user: "too many frames from this user's blocks together; slow down",
  app: "too many frames from this app's blocks together; slow down",
};

/** An answer as SDKs write it, `t` first. A frame that only claims to be one spends a credit all the same. */
const ANSWER = /^\s*\{\s*"t"\s*:\s*"api\.res"/;

/** Answers to calls are bounded by the calls (each sent call lets one through), not by the rate limits. */
function admit(app: FrameContext, s: Session, message: string | ArrayBuffer, now: number): Admission {
  if (s.credits > 0 && typeof message === "string" && ANSWER.test(message)) {
    s.credits--;
    return "ok";
  }
  s.bucket ??= connectionBucket(app.config, now);
  return app.gate.admit(s.bucket, s.identity.uid, now);
}

/**
 * Handles one text frame from a block: the rate limits first, decided before anything is parsed
 * (connection, user, app; see frame-gate.ts), then size and nesting, then the codec, then the frame.
 * Every bad input is answered with an error frame and the connection is kept.
 */
export async function handleFrame(app: FrameContext, s: Session, message: string | ArrayBuffer, now: number): Promise<void> {
  app.heard(s);
  const admission = admit(app, s, message, now);
  if (admission === "abuse") {
    app.drop(s.ws, CloseCode.policy, "rate limit exceeded repeatedly");
    return;
  }
  if (typeof message !== "string") {
    sendError(app, s, undefined, ErrorCode.bad_request, "frames must be UTF-8 JSON text");
    return;
  }
  if (admission !== "ok") {
    sendError(app, s, peekId(message), ErrorCode.rate_limited, REFUSED[admission]);
    return;
  }
  const { maxFrameBytes, maxJsonDepth } = app.config;
  const decoded = decodeClientFrame(message, maxFrameBytes, maxJsonDepth);
  if (!decoded.ok) {
    // A refused answer still ends its call at once: the caller hears that the worker's answer was unusable.
    if (decoded.rid !== undefined) {
      const error = { code: ErrorCode.app_error, message: `the worker's answer was refused: ${decoded.message}` };
      app.answer(decoded.rid, s, { ok: false, error });
    }
    sendError(app, s, decoded.id, decoded.code, decoded.message);
    return;
  }
  const frame = decoded.frame;
  switch (frame.t) {
    case "api":
      return api(app, s, frame);
    case "api.res":
      app.answer(
        frame.rid,
        s,
        frame.ok ? { ok: true, data: frame.data, from: s.identity } : { ok: false, error: workerError(frame.error) },
      );
      return;
    case "serve":
      return serve(app, s, frame);
    case "direct":
      return direct(app, s, frame);
    case "sub":
      return sub(app, s, frame);
    case "unsub":
      await app.unsubscribe(s, frame.channel);
      ack(app, s, frame.id);
      return;
    case "pub":
      return pub(app, s, frame);
    case "find":
      return find(app, s, frame);
    case "will":
      // The will is a publish made later: the token's pub capability applies now.
      if (!("clear" in frame) && !mayUse(app, s, "pub", frame.channel, frame.id)) return;
      // One will per connection, replaced by the next; published by the edge when the connection ends.
      app.setWill(s, "clear" in frame ? undefined : { channel: frame.channel, data: frame.data, retain: frame.retain === true });
      ack(app, s, frame.id);
      return;
    case "ping":
      // Normally answered by the runtime's auto-response; this covers `ping` with extra spacing.
      app.send(s, '{"t":"pong"}');
      return;
  }
}

/**
 * A worker may answer only `app_error` or `bad_request`: any other code reaches the caller as
 * `app_error`, so a worker cannot pass for a server condition (and make clients retry).
 */
function workerError(error: WireError): WireError {
  if (error.code === ErrorCode.app_error || error.code === ErrorCode.bad_request) return error;
  return { code: ErrorCode.app_error, message: error.message };
}

/** The token's channel capabilities, checked before a `sub` or `pub` goes anywhere. */
function mayUse(app: FrameContext, s: Session, cap: "pub" | "sub", channel: string, id: string | undefined): boolean {
  const allowed = s.caps[cap];
  if (!allowed || allowed.allows(channel)) return true;
  sendError(app, s, id, ErrorCode.forbidden, `this token may not ${cap} on "${channel}"`);
  return false;
}

function serve(app: FrameContext, s: Session, f: Frame<"serve">): void {
  if (!s.worker) {
    sendError(app, s, f.id, ErrorCode.not_a_worker, `${s.identity.kind} blocks are frontends and cannot serve`);
    return;
  }
  const max = app.config.maxServedMethods;
  if (f.methods.length > max) {
    // The previous set stays in force, as the contract says.
    quotaExceeded(app, s, f.id, Quota.maxServedMethods, max, `serve names ${f.methods.length} methods`);
    return;
  }
  app.serve(s, f.methods);
  ack(app, s, f.id);
}

function badTarget(f: { resource?: string; uid?: string }): string | undefined {
  if (!validTargetResource(f.resource)) return `"resource" must be <kind><suffix>`;
  if (f.uid !== undefined && !UID_PATTERN.test(f.uid)) return `"uid" must match [A-Za-z0-9_]{1,64}`;
  return undefined;
}

async function api(app: FrameContext, s: Session, f: Frame<"api">): Promise<void> {
  const started = Date.now();
  const bad = badTarget(f);
  if (bad) return sendError(app, s, f.id, ErrorCode.bad_request, bad);
  const local = f.app === app.appName();
  // A call to another app is matched to its outcome by key when that comes back: a key of its own,
  // so that a late outcome of an earlier call with the same id can never settle this one.
  const callKey = local ? `${s.conn}:${f.id}` : `${s.conn}:${f.id}#${++remoteSeq}`;
  const max = app.config.maxPendingCalls;
  if (app.outbound.count(s.conn) >= max) {
    const message = `this block already has ${max} calls in flight (maxPendingCalls is ${max})`;
    app.send(
      s,
      JSON.stringify({
        t: "api.result",
        id: f.id,
        ok: false,
        error: { code: ErrorCode.quota_exceeded, quota: Quota.maxPendingCalls, message },
      }),
    );
    return;
  }
  const req = {
    callKey,
    method: f.method,
    data: f.data,
    resource: f.resource,
    uid: f.uid,
    timeoutMs: Math.min(f.timeoutMs ?? app.config.apiTimeoutMs, app.config.apiTimeoutMs),
  };
  app.outbound.open(s.conn, callKey, f.app);
  let outcome: ApiOutcome;
  try {
    outcome = local
      ? await app.routeCall(s.identity, s.fromJson, req)
      : (await app.knownApp(f.app))
        ? await callAway(app, f.app, s, req)
        : failed(unknownApp(f.app));
  } catch {
    app.stubs.forget("app", f.app);
    outcome = { ok: false, error: { code: ErrorCode.internal, message: "the call could not be routed" } };
  }
  if (!app.outbound.close(s.conn, callKey)) return; // the caller left, which cancelled the call
  app.traffic.callDone(outcome.ok ? undefined : outcome.error.code, Date.now() - started);
  app.send(s, JSON.stringify({ t: "api.result", id: f.id, ...outcome }));
}

let remoteSeq = 0;

/**
 * A call to another app's workers: alone when none is in flight to that app, else batched with the
 * others (one RPC in flight per target, order kept), its outcome matched by key when it comes back,
 * at once for a refusal.
 */
function callAway(app: FrameContext, target: string, s: Session, req: CallRequest): Promise<ApiOutcome> {
  // Nothing in flight to that app: one RPC whose answer is the outcome (the shortest round trip).
  // Otherwise the batch: through the same stub, so it arrives after the calls before it (E-order).
  if (app.remote.inFlight(target) === 0)
    return app.remote.track(target, Promise.resolve(app.stubs.app(target).rpcCall(target, s.identity, s.fromJson, req)));
  return app.remote.track(target, callBatched(app, target, s, req));
}

function callBatched(app: FrameContext, target: string, s: Session, req: CallRequest): Promise<ApiOutcome> {
  // Waiting first: the outcome may come back (rpcCallResults) before the batch's own answer does.
  const outcome = app.remote.wait(req.callKey, req.timeoutMs);
  app.callsOut.push(target, { caller: s.identity, callerFromJson: s.fromJson, req }).then(
    (now) => {
      if (now) app.remote.settle(req.callKey, now);
    },
    (err) => {
      if (err instanceof BatchQueueFull) {
        const message = `too many calls wait for app "${target}"; slow down`;
        app.remote.settle(req.callKey, { ok: false, error: { code: ErrorCode.rate_limited, message } });
        return;
      }
      app.stubs.forget("app", target);
      app.remote.settle(req.callKey, { ok: false, error: { code: ErrorCode.internal, message: "the call could not be routed" } });
    },
  );
  return outcome;
}

async function direct(app: FrameContext, s: Session, f: Frame<"direct">): Promise<void> {
  const bad = badTarget(f) ?? (parseResource(f.resource) ? undefined : `"resource" must be <kind><suffix>`);
  if (bad) return sendError(app, s, f.id, ErrorCode.bad_request, bad);
  const req = { resource: f.resource, uid: f.uid, data: f.data };
  try {
    const refusal =
      f.app === app.appName()
        ? app.routeDirect(s.identity, s.fromJson, req)
        : (await app.knownApp(f.app))
          ? await app.directs.push(f.app, { caller: s.identity, callerFromJson: s.fromJson, req })
          : unknownApp(f.app);
    if (f.id === undefined) return;
    if (refusal) sendError(app, s, f.id, refusal.code, refusal.message);
    else ack(app, s, f.id);
  } catch (err) {
    if (err instanceof BatchQueueFull) {
      // Like any rate refusal, told even to a frame without id: what was not sent must not pass silently.
      sendError(app, s, f.id, ErrorCode.rate_limited, `too many Directs wait for app "${f.app}"; slow down`);
      return;
    }
    app.stubs.forget("app", f.app);
    if (f.id !== undefined) sendError(app, s, f.id, ErrorCode.internal, "the direct could not be routed");
  }
}

async function sub(app: FrameContext, s: Session, f: Frame<"sub">): Promise<void> {
  if (!mayUse(app, s, "sub", f.channel, f.id)) return;
  let result: Joined;
  try {
    result = await app.subscribe(s, f.channel, f.since === undefined ? undefined : { since: f.since, epoch: f.epoch });
  } catch {
    return sendError(app, s, f.id, ErrorCode.internal, "the channel could not be joined; try again");
  }
  if (result === "gone") return;
  if ("code" in result) return sendError(app, s, f.id, result.code, result.message, result.quota);
  app.send(s, JSON.stringify({ t: "ack", id: f.id, ...result.ack }));
  for (const frame of result.frames) app.send(s, frame);
}

async function pub(app: FrameContext, s: Session, f: Frame<"pub">): Promise<void> {
  if (!mayUse(app, s, "pub", f.channel, f.id)) return;
  // A first publish to a channel the app has not touched recently starts its object: it waits its turn.
  const turn = app.publishTurn(s.identity.uid, f.channel);
  if (turn !== undefined) {
    const refused = await turn;
    // Told even to a frame without id, as any rate refusal: what was not sent must not pass silently.
    if (refused) return sendError(app, s, f.id, refused.code, refused.message, refused.quota);
  }
  // A retained value is parked on the channel: it counts against the app's maxRetainedBytesPerApp.
  const undo = f.retain === true ? app.retain(f.channel, f.data === "" ? 0 : f.data.length + s.fromJson.length) : undefined;
  if (undo !== undefined && typeof undo !== "function") {
    // Told even to a frame without id, as a rate refusal: a value that was not kept must not pass silently.
    sendError(app, s, f.id, undo.code, undo.message, undo.quota);
    return;
  }
  try {
    const acked = f.id !== undefined;
    const seq = await app.publishes.push(f.channel, { fromJson: s.fromJson, data: f.data, retain: f.retain === true }, acked);
    if (f.id === undefined) return;
    // An ack says the message is kept (it survives a restart of the edge): it waits for the channel's flush.
    const refused = await app.acks.push(f.channel, seq);
    if (refused !== undefined) throw refused;
    ack(app, s, f.id);
  } catch (err) {
    undo?.();
    if (err instanceof BatchQueueFull) {
      // Like any rate refusal, told even to a frame without id: what was not sent must not pass silently.
      sendError(app, s, f.id, ErrorCode.rate_limited, `too many messages wait for channel "${f.channel}"; slow down`);
      return;
    }
    app.stubs.forget("channel", f.channel);
    if (f.id !== undefined) sendError(app, s, f.id, ErrorCode.internal, "the message could not be published; try again");
  }
}

async function find(app: FrameContext, s: Session, f: Frame<"find">): Promise<void> {
  const { uid } = s.identity;
  try {
    let blocks: BlockInfo[];
    if (f.scope === "app") {
      const target = f.app ?? s.identity.app;
      const r =
        target === app.appName()
          ? app.scopedBlocks(target, uid, f.kind)
          : (await app.knownApp(target))
            ? await app.stubs.app(target).rpcScopedBlocks(target, uid, f.kind)
            : unknownApp(target);
      if (!Array.isArray(r)) return sendError(app, s, f.id, r.code, r.message);
      blocks = r;
    } else {
      // An app the deployment does not know holds no blocks: its object is not started to say so.
      const named = f.app === undefined || f.app === app.appName() || (await app.knownApp(f.app));
      const apps = f.app === undefined ? await app.stubs.user(uid).apps() : named ? [f.app] : [];
      const parts = await Promise.all(
        apps.map((a) => (a === app.appName() ? app.blocks(uid, f.kind) : app.stubs.app(a).rpcBlocks(a, uid, f.kind))),
      );
      blocks = parts.flat();
    }
    blocks.sort((a, b) => a.since - b.since || a.jid.localeCompare(b.jid));
    app.send(s, JSON.stringify({ t: "find.result", id: f.id, blocks }));
  } catch {
    sendError(app, s, f.id, ErrorCode.internal, "find failed; try again");
  }
}
