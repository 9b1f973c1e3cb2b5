import { UID_PATTERN } from "../identity/jid";
import { parseResource } from "../identity/kinds";
import { decodeClientFrame } from "../protocol/codec";
import { CloseCode, ErrorCode } from "../protocol/codes";
import type { ApiOutcome, BlockInfo, ClientFrame, WireError } from "../protocol/frames";
import type { Joined } from "./app-channels";
import type { FrameContext } from "./frame-context";
import { validTargetResource } from "./routing";
import { send } from "./send";
import type { Session } from "./session";

type Frame<T extends ClientFrame["t"]> = Extract<ClientFrame, { t: T }>;

function sendError(s: Session, id: string | undefined, code: ErrorCode, message: string): void {
  send(s.ws, JSON.stringify(id === undefined ? { t: "error", code, message } : { t: "error", id, code, message }));
}

function ack(s: Session, id: string): void {
  send(s.ws, `{"t":"ack","id":${JSON.stringify(id)}}`);
}

/**
 * Handles one text frame from a block: limits first (rate, size), then the codec, then the frame.
 * Every bad input is answered with an error frame and the connection is kept.
 */
export async function handleFrame(app: FrameContext, s: Session, message: string | ArrayBuffer, now: number): Promise<void> {
  const verdict = s.bucket?.take(now) ?? "ok";
  if (verdict === "abuse") {
    app.drop(s.ws, CloseCode.policy, "rate limit exceeded repeatedly");
    return;
  }
  if (typeof message !== "string") {
    sendError(s, undefined, ErrorCode.bad_request, "frames must be UTF-8 JSON text");
    return;
  }
  const decoded = decodeClientFrame(message, app.config.maxFrameBytes);
  if (!decoded.ok) {
    sendError(s, decoded.id, decoded.code, decoded.message);
    return;
  }
  const frame = decoded.frame;
  if (verdict === "limited") {
    sendError(s, "id" in frame ? frame.id : undefined, ErrorCode.rate_limited, "too many frames; slow down");
    return;
  }
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
      ack(s, frame.id);
      return;
    case "pub":
      return pub(app, s, frame);
    case "find":
      return find(app, s, frame);
    case "will":
      // The will is a publish made later: the token's pub capability applies now.
      if (!("clear" in frame) && !mayUse(s, "pub", frame.channel, frame.id)) return;
      // One will per connection, replaced by the next; published by the edge when the connection ends.
      app.setWill(s, "clear" in frame ? undefined : { channel: frame.channel, data: frame.data, retain: frame.retain === true });
      ack(s, frame.id);
      return;
    case "ping":
      // Normally answered by the runtime's auto-response; this covers `ping` with extra spacing.
      send(s.ws, '{"t":"pong"}');
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
function mayUse(s: Session, cap: "pub" | "sub", channel: string, id: string | undefined): boolean {
  const allowed = s.caps[cap];
  if (!allowed || allowed.allows(channel)) return true;
  sendError(s, id, ErrorCode.forbidden, `this token may not ${cap} on "${channel}"`);
  return false;
}

function serve(app: FrameContext, s: Session, f: Frame<"serve">): void {
  if (!s.worker) {
    sendError(s, f.id, ErrorCode.not_a_worker, `${s.identity.kind} blocks are frontends and cannot serve`);
    return;
  }
  app.serve(s, f.methods);
  ack(s, f.id);
}

function badTarget(f: { resource?: string; uid?: string }): string | undefined {
  if (!validTargetResource(f.resource)) return `"resource" must be <kind><suffix>`;
  if (f.uid !== undefined && !UID_PATTERN.test(f.uid)) return `"uid" must match [A-Za-z0-9_]{1,64}`;
  return undefined;
}

async function api(app: FrameContext, s: Session, f: Frame<"api">): Promise<void> {
  const started = Date.now();
  const bad = badTarget(f);
  if (bad) return sendError(s, f.id, ErrorCode.bad_request, bad);
  const callKey = `${s.conn}:${f.id}`;
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
    outcome =
      f.app === app.appName()
        ? await app.routeCall(s.identity, s.fromJson, req)
        : await app.stubs.app(f.app).rpcCall(f.app, s.identity, s.fromJson, req);
  } catch {
    app.stubs.forget("app", f.app);
    outcome = { ok: false, error: { code: ErrorCode.internal, message: "the call could not be routed" } };
  }
  if (!app.outbound.close(s.conn, callKey)) return; // the caller left, which cancelled the call
  app.traffic.callDone(outcome.ok ? undefined : outcome.error.code, Date.now() - started);
  send(s.ws, JSON.stringify({ t: "api.result", id: f.id, ...outcome }));
}

async function direct(app: FrameContext, s: Session, f: Frame<"direct">): Promise<void> {
  const bad = badTarget(f) ?? (parseResource(f.resource) ? undefined : `"resource" must be <kind><suffix>`);
  if (bad) return sendError(s, f.id, ErrorCode.bad_request, bad);
  const req = { resource: f.resource, uid: f.uid, data: f.data };
  try {
    const refusal =
      f.app === app.appName()
        ? app.routeDirect(s.identity, s.fromJson, req)
        : await app.directs.push(f.app, { caller: s.identity, callerFromJson: s.fromJson, req });
    if (f.id === undefined) return;
    if (refusal) sendError(s, f.id, refusal.code, refusal.message);
    else ack(s, f.id);
  } catch {
    app.stubs.forget("app", f.app);
    if (f.id !== undefined) sendError(s, f.id, ErrorCode.internal, "the direct could not be routed");
  }
}

async function sub(app: FrameContext, s: Session, f: Frame<"sub">): Promise<void> {
  if (!mayUse(s, "sub", f.channel, f.id)) return;
  let result: Joined;
  try {
    result = await app.subscribe(s, f.channel);
  } catch {
    return sendError(s, f.id, ErrorCode.internal, "the channel could not be joined; try again");
  }
  if (result === "gone") return;
  ack(s, f.id);
  for (const frame of result.frames) send(s.ws, frame);
}

async function pub(app: FrameContext, s: Session, f: Frame<"pub">): Promise<void> {
  if (!mayUse(s, "pub", f.channel, f.id)) return;
  try {
    await app.publishes.push(f.channel, { fromJson: s.fromJson, data: f.data, retain: f.retain === true });
    if (f.id !== undefined) ack(s, f.id);
  } catch {
    app.stubs.forget("channel", f.channel);
    if (f.id !== undefined) sendError(s, f.id, ErrorCode.internal, "the message could not be published; try again");
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
          : await app.stubs.app(target).rpcScopedBlocks(target, uid, f.kind);
      if (!Array.isArray(r)) return sendError(s, f.id, r.code, r.message);
      blocks = r;
    } else {
      const apps = f.app !== undefined ? [f.app] : await app.stubs.user(uid).apps();
      const parts = await Promise.all(
        apps.map((a) => (a === app.appName() ? app.blocks(uid, f.kind) : app.stubs.app(a).rpcBlocks(a, uid, f.kind))),
      );
      blocks = parts.flat();
    }
    blocks.sort((a, b) => a.since - b.since || a.jid.localeCompare(b.jid));
    send(s.ws, JSON.stringify({ t: "find.result", id: f.id, blocks }));
  } catch {
    sendError(s, f.id, ErrorCode.internal, "find failed; try again");
  }
}
