import { APP_PATTERN, UID_PATTERN } from "../identity/jid";
import { ErrorCode } from "./codes";
import type { ClientFrame, WireError } from "./frames";
import { DEFAULT_MAX_JSON_DEPTH, nestsDeeperThan } from "./json-depth";

/** Channel and method names: `[A-Za-z0-9_.:/-]{1,128}`. */
export const NAME_PATTERN = /^[A-Za-z0-9_.:/-]{1,128}$/;
const ID_MAX = 128;

/**
 * A decoded frame, or why it was refused: with the frame's `id` when it had a readable one, and for a
 * refused `api.res` its `rid` (so that the caller waiting on it is answered at once).
 */
export type DecodeResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; id?: string; rid?: string; code: ErrorCode; message: string };

const encoder = new TextEncoder();

/** UTF-8 length of a string, computed only when its UTF-16 length could exceed `limit`. */
export function exceedsBytes(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return encoder.encode(text).byteLength > limit;
}

type Fields = Record<string, unknown>;

class Invalid extends Error {}

function str(f: Fields, key: string, opts: { optional?: boolean; pattern?: RegExp; max?: number } = {}): string | undefined {
  const v = f[key];
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== "string") throw new Invalid(v === undefined ? `"${key}" is required` : `"${key}" must be a string`);
  if (opts.pattern && !opts.pattern.test(v)) throw new Invalid(`"${key}" must match ${opts.pattern.source}`);
  if (opts.max !== undefined && v.length > opts.max) throw new Invalid(`"${key}" is longer than ${opts.max} characters`);
  return v;
}

function reqStr(f: Fields, key: string, opts: { pattern?: RegExp; max?: number } = {}): string {
  return str(f, key, opts) as string;
}

function id(f: Fields, required: boolean): string | undefined {
  const v = str(f, "id", { optional: !required, max: ID_MAX });
  if (v !== undefined && v.length === 0) throw new Invalid('"id" must not be empty');
  return v;
}

function decodeError(value: unknown): WireError {
  if (typeof value !== "object" || value === null) throw new Invalid('"error" must be an object with "code" and "message"');
  const e = value as Fields;
  const code = reqStr(e, "code", { max: 64 });
  const message = typeof e.message === "string" ? e.message : "";
  return { code, message };
}

function decodeFields(f: Fields): ClientFrame {
  switch (f.t) {
    case "api": {
      const frame: ClientFrame = {
        t: "api",
        id: id(f, true) as string,
        app: reqStr(f, "app", { pattern: APP_PATTERN }),
        method: reqStr(f, "method", { pattern: NAME_PATTERN }),
        data: f.data === undefined ? null : f.data,
      };
      const resource = str(f, "resource", { optional: true, max: 64 });
      const uid = str(f, "uid", { optional: true, pattern: UID_PATTERN });
      if (resource !== undefined) frame.resource = resource;
      if (uid !== undefined) frame.uid = uid;
      if (f.timeoutMs !== undefined) {
        if (typeof f.timeoutMs !== "number" || !Number.isFinite(f.timeoutMs) || f.timeoutMs <= 0) {
          throw new Invalid('"timeoutMs" must be a positive number');
        }
        frame.timeoutMs = f.timeoutMs;
      }
      return frame;
    }
    case "api.res": {
      const rid = reqStr(f, "rid", { max: ID_MAX });
      if (f.ok === true) return { t: "api.res", rid, ok: true, data: f.data === undefined ? null : f.data };
      if (f.ok === false) return { t: "api.res", rid, ok: false, error: decodeError(f.error) };
      throw new Invalid('"ok" must be true or false');
    }
    case "serve": {
      const frameId = id(f, true) as string;
      if (!Array.isArray(f.methods)) throw new Invalid('"methods" must be an array of method names');
      for (const m of f.methods) {
        if (typeof m !== "string" || (m !== "*" && !NAME_PATTERN.test(m))) {
          throw new Invalid('"methods" must hold "*" or names matching [A-Za-z0-9_.:/-]{1,128}');
        }
      }
      return { t: "serve", id: frameId, methods: [...new Set(f.methods as string[])] };
    }
    case "direct": {
      const frame: ClientFrame = {
        t: "direct",
        app: reqStr(f, "app", { pattern: APP_PATTERN }),
        resource: reqStr(f, "resource", { max: 64 }),
        data: reqStr(f, "data"),
      };
      const uid = str(f, "uid", { optional: true, pattern: UID_PATTERN });
      const frameId = id(f, false);
      if (uid !== undefined) frame.uid = uid;
      if (frameId !== undefined) frame.id = frameId;
      return frame;
    }
    case "sub": {
      const frame: ClientFrame = {
        t: "sub",
        id: id(f, true) as string,
        channel: reqStr(f, "channel", { pattern: NAME_PATTERN }),
      };
      if (f.since !== undefined) {
        if (typeof f.since !== "number" || !Number.isSafeInteger(f.since) || f.since < 0) {
          throw new Invalid('"since" must be a non-negative integer (a seq)');
        }
        frame.since = f.since;
      }
      const epoch = str(f, "epoch", { optional: true, max: 64 });
      if (epoch !== undefined) frame.epoch = epoch;
      return frame;
    }
    case "unsub":
      return { t: f.t, id: id(f, true) as string, channel: reqStr(f, "channel", { pattern: NAME_PATTERN }) };
    case "pub": {
      const frame: ClientFrame = {
        t: "pub",
        channel: reqStr(f, "channel", { pattern: NAME_PATTERN }),
        data: reqStr(f, "data"),
      };
      if (f.retain !== undefined) {
        if (typeof f.retain !== "boolean") throw new Invalid('"retain" must be a boolean');
        frame.retain = f.retain;
      }
      const frameId = id(f, false);
      if (frameId !== undefined) frame.id = frameId;
      return frame;
    }
    case "find": {
      const frame: ClientFrame = { t: "find", id: id(f, true) as string };
      const app = str(f, "app", { optional: true, pattern: APP_PATTERN });
      const kind = str(f, "kind", { optional: true, max: 32 });
      if (app !== undefined) frame.app = app;
      if (kind !== undefined) frame.kind = kind;
      if (f.scope !== undefined) {
        if (f.scope !== "app") throw new Invalid('"scope" must be "app" when present');
        frame.scope = "app";
      }
      return frame;
    }
    case "will": {
      const frameId = id(f, true) as string;
      if (f.clear !== undefined) {
        if (f.clear !== true) throw new Invalid('"clear" must be true when present');
        return { t: "will", id: frameId, clear: true };
      }
      const frame: ClientFrame = {
        t: "will",
        id: frameId,
        channel: reqStr(f, "channel", { pattern: NAME_PATTERN }),
        data: reqStr(f, "data"),
      };
      if (f.retain !== undefined) {
        if (typeof f.retain !== "boolean") throw new Invalid('"retain" must be a boolean');
        frame.retain = f.retain;
      }
      return frame;
    }
    case "ping":
      return { t: "ping" };
    default:
      throw new Invalid(typeof f.t === "string" ? `unknown frame type "${f.t.slice(0, 32)}"` : '"t" is required');
  }
}

/**
 * Decodes one client text frame. Never throws: every failure is a result with the contract's code,
 * carrying the frame's `id` when it had a readable one.
 *
 * @example
 * ```ts
 * const r = decodeClientFrame('{"t":"sub","id":"s1","channel":"prices"}', 262144);
 * if (r.ok) handle(r.frame); else sendError(r.id, r.code, r.message);
 * ```
 */
export function decodeClientFrame(text: string, maxFrameBytes: number, maxJsonDepth = DEFAULT_MAX_JSON_DEPTH): DecodeResult {
  if (exceedsBytes(text, maxFrameBytes)) {
    const message = `frame exceeds maxFrameBytes (${maxFrameBytes})`;
    return { ok: false, id: peekId(text), rid: peekRid(text), code: ErrorCode.too_large, message };
  }
  // Checked before parsing: what parses a deep text, or serialises it again, may recurse per level.
  if (nestsDeeperThan(text, maxJsonDepth)) {
    const message = `frame nests objects and arrays deeper than ${maxJsonDepth} levels`;
    return { ok: false, id: peekId(text), rid: peekRid(text), code: ErrorCode.bad_request, message };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.bad_request, message: "frame is not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, code: ErrorCode.bad_request, message: "frame must be a JSON object" };
  }
  const fields = value as Fields;
  try {
    return { ok: true, frame: decodeFields(fields) };
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    const frameId = typeof fields.id === "string" && fields.id.length <= ID_MAX ? fields.id : undefined;
    return { ok: false, id: frameId, code: ErrorCode.bad_request, message: err.message };
  }
}

// An oversize frame is not parsed (that is the point of the limit), but its id, when it is the
// first field as every SDK writes it, is still worth echoing so the caller can match the error.
const LEADING_ID = /^\s*\{\s*"t"\s*:\s*"[a-z.]{1,8}"\s*,\s*"id"\s*:\s*"([^"\\]{1,128})"|^\s*\{\s*"id"\s*:\s*"([^"\\]{1,128})"/;

/**
 * The `id` of a frame that is not parsed (too large, refused for rate), when it leads the frame as
 * every SDK writes it: `{"t":"...","id":"..."` or `{"id":"..."`.
 *
 * @example
 * ```ts
 * peekId('{"t":"sub","id":"s1","channel":"c"}'); // "s1"
 * ```
 */
export function peekId(text: string): string | undefined {
  const m = LEADING_ID.exec(text.slice(0, 200));
  return m ? (m[1] ?? m[2]) : undefined;
}

// Likewise the rid of an answer, as every SDK writes it: `{"t":"api.res","rid":"..."`.
const LEADING_RID = /^\s*\{\s*"t"\s*:\s*"api\.res"\s*,\s*"rid"\s*:\s*"([^"\\]{1,128})"/;

function peekRid(text: string): string | undefined {
  return LEADING_RID.exec(text.slice(0, 200))?.[1];
}

/** Encodes a server or client frame. */
export function encodeFrame(frame: object): string {
  return JSON.stringify(frame);
}
