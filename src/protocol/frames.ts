import type { ErrorCode, Quota, WelcomeLimits } from "./codes";

/** The sender stamp the server puts on every delivered frame. Never trusted from a client. */
export interface Identity {
  jid: string;
  app: string;
  uid: string;
  role: "owner" | "user";
  resource: string;
  kind: string;
}

/** A block in a `find.result`; a worker's entry also lists what it serves (`["*"]` for everything). */
export interface BlockInfo extends Identity {
  since: number;
  methods?: string[];
}

export interface WireError {
  code: ErrorCode | (string & {});
  message: string;
  /** With `quota_exceeded`: the quota that refused it. */
  quota?: Quota | (string & {});
}

/** Frames a client sends. */
export type ClientFrame =
  | { t: "api"; id: string; app: string; method: string; data: unknown; resource?: string; uid?: string; timeoutMs?: number }
  | { t: "api.res"; rid: string; ok: true; data: unknown }
  | { t: "api.res"; rid: string; ok: false; error: WireError }
  | { t: "serve"; id: string; methods: string[] }
  | { t: "direct"; app: string; resource: string; data: string; uid?: string; id?: string }
  | { t: "sub"; id: string; channel: string; since?: number; epoch?: string }
  | { t: "unsub"; id: string; channel: string }
  | { t: "pub"; channel: string; data: string; retain?: boolean; id?: string }
  | { t: "find"; id: string; app?: string; kind?: string; scope?: "app" }
  | { t: "will"; id: string; channel: string; data: string; retain?: boolean }
  | { t: "will"; id: string; clear: true }
  | { t: "ping" };

/** Frames the server sends. */
export type ServerFrame =
  | { t: "welcome"; v: 1; jid: string; from: Identity; limits: WelcomeLimits }
  | { t: "ack"; id: string; seq?: number; epoch?: string; recovered?: boolean }
  | { t: "error"; id?: string; code: ErrorCode; message: string; quota?: Quota }
  | { t: "api.req"; rid: string; method: string; from: Identity; data: unknown }
  | { t: "api.result"; id: string; ok: true; data: unknown; from: Identity }
  | { t: "api.result"; id: string; ok: false; error: WireError }
  | { t: "direct"; from: Identity; data: string }
  | { t: "msg"; channel: string; from: Identity; data: string; seq: number; retained?: true }
  | { t: "find.result"; id: string; blocks: BlockInfo[] }
  | { t: "pong" };

export type ClientFrameType = ClientFrame["t"];
export type ServerFrameType = ServerFrame["t"];

/** The result of a call as the server reports it (`api.result` without `t` and `id`). */
export type ApiOutcome = { ok: true; data: unknown; from: Identity } | { ok: false; error: WireError };
