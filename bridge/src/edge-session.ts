import WebSocket from "ws";
import { DEFAULT_LIMITS, TERMINAL_CLOSE_CODES } from "../../src/protocol/codes";
import type { ClientFrame, Identity, ServerFrame, WelcomeLimits } from "../../src/protocol/frames";
import { backoffDelay } from "./backoff";
import { type Dialing, dialEdge, parseServerFrame } from "./edge-dial";
import { connectUrl } from "./edge-url";
import { BridgeError } from "./errors";
import type { Logger } from "./log";

/** A client frame before the session gives it an `id`. */
export type OutgoingFrame = DistributiveOmit<Exclude<ClientFrame, { t: "ping" } | { t: "api.res" }>, "id">;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * What happens to a request when the edge connection drops before its answer:
 * - `resend`: sent again after the reconnect (QoS 1 publishes: at least once);
 * - `restore`: the reconnect's state restore covers it (sub, unsub, serve), so it is answered `ack` then;
 * - `fail`: answered at once with `disconnected` (API calls and finds: the edge may have run them).
 */
export type OnDrop = "resend" | "restore" | "fail";

/** Frames the edge pushes without being asked. */
export type PushedFrame = Extract<ServerFrame, { t: "msg" } | { t: "direct" } | { t: "api.req" }>;

/** Why a session ended for good. */
export type SessionEnd = { code: number; reason: string; error?: BridgeError };

export interface EdgeSessionOptions {
  edgeUrl: string;
  token: string;
  /** The device's resource (its MQTT username), or a kind when it gave none. */
  target: { resource: string } | { kind: string };
  log: Logger;
  /** Deliveries: channel messages, directs, API requests. */
  onPush: (frame: PushedFrame) => void;
  /** The frames that rebuild this device's subscriptions and served methods after a reconnect. */
  restore: () => OutgoingFrame[];
  /** Called once, when the session is over for good (closed by the edge, refused on reconnect, or closed by us). */
  onEnd: (end: SessionEnd) => void;
  backoff?: { minMs: number; maxMs: number };
  /** How long a sub, serve or publish may wait for its ack. */
  ackTimeoutMs?: number;
}

interface Pending {
  frame: ClientFrame & { id: string };
  onDrop: OnDrop;
  resolve: (frame: ServerFrame) => void;
  reject: (err: BridgeError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A frame waiting for the edge to come back: a request, or a fire-and-forget frame (`request` absent). */
interface Queued {
  frame: ClientFrame;
  request?: Pending;
}

const WELCOME_TIMEOUT_MS = 10_000;
const PING_INTERVAL_MS = 25_000;
const MAX_QUEUED = 1000;

/**
 * One device's Nexus connection: opened with the device's own token, so the edge validates it,
 * and kept alive across edge restarts (reconnect with backoff, then subscriptions restored).
 *
 * @example
 * ```ts
 * const session = await EdgeSession.open({ edgeUrl, token, target: { resource: "device01" }, log, onPush, restore, onEnd });
 * const answer = await session.request({ t: "sub", channel: "prices" }, "restore"); // { t: "ack", id }
 * ```
 */
export class EdgeSession {
  identity!: Identity;
  limits: WelcomeLimits = { ...DEFAULT_LIMITS };
  private ws: WebSocket | undefined;
  private state: "connecting" | "open" | "reconnecting" | "closed" = "connecting";
  private readonly pending = new Map<string, Pending>();
  private queue: Queued[] = [];
  private nextId = 1;
  private attempt = 0;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private dialing: Dialing | undefined;
  private lastSeen = Date.now();

  private constructor(private readonly options: EdgeSessionOptions) {}

  /** Opens the session; rejects with a BridgeError carrying the HTTP status when the edge refuses the device. */
  static async open(options: EdgeSessionOptions): Promise<EdgeSession> {
    const session = new EdgeSession(options);
    await session.connect();
    session.state = "open";
    session.startPing();
    return session;
  }

  /** The resource the edge gave this device (fixed across reconnects). */
  get resource(): string {
    return this.identity.resource;
  }

  /** Sends a frame that has no answer (API responses, fire-and-forget publishes). Queued while reconnecting. */
  send(frame: ClientFrame): void {
    if (this.state === "closed") return;
    if (this.state === "open" && this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return;
    }
    // QoS 0 while the edge is away: kept in order up to a bound, then dropped (as QoS 0 allows).
    if (this.queue.length < MAX_QUEUED) this.queue.push({ frame });
  }

  /** Sends a frame with a fresh `id` and resolves with the edge's answer to it (ack, error, api.result, find.result). */
  request(frame: OutgoingFrame, onDrop: OnDrop, timeoutMs = this.options.ackTimeoutMs ?? 15_000): Promise<ServerFrame> {
    if (this.state === "closed") return Promise.reject(new BridgeError("disconnected", "the edge session is closed"));
    return this.issue(frame, onDrop, timeoutMs, this.state === "open");
  }

  /** Sends now (`direct`, or queues while the edge is away) and tracks the answer. */
  private issue(frame: OutgoingFrame, onDrop: OnDrop, timeoutMs: number, direct: boolean): Promise<ServerFrame> {
    // "id" right after "t": the edge can echo it even for a frame it refuses unparsed (too_large).
    const { t, ...fields } = frame;
    const full = { t, id: `b${this.nextId++}`, ...fields } as Pending["frame"];
    return new Promise<ServerFrame>((resolve, reject) => {
      const entry: Pending = {
        frame: full,
        onDrop,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.forget(entry);
          reject(new BridgeError("timeout", `no answer from the edge to "${frame.t}" within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      if (direct && this.ws?.readyState === WebSocket.OPEN) {
        this.pending.set(full.id, entry);
        this.ws.send(JSON.stringify(full));
      } else if (this.queue.length < MAX_QUEUED) {
        this.queue.push({ frame: full, request: entry });
      } else {
        clearTimeout(entry.timer);
        reject(new BridgeError("rate_limited", "too many frames queued while the edge is unreachable"));
      }
    });
  }

  /** Closes the session for good (the device left); pending requests fail with `disconnected`. */
  close(code = 1000, reason = "device disconnected"): void {
    if (this.state === "closed") return;
    this.finish({ code, reason });
  }

  private forget(entry: Pending): void {
    this.pending.delete(entry.frame.id);
    const i = this.queue.findIndex((q) => q.request === entry);
    if (i >= 0) this.queue.splice(i, 1);
  }

  private async connect(): Promise<void> {
    const { edgeUrl, token, target, log } = this.options;
    // After the first welcome the exact resource is known; reconnects must come back as the same block.
    const where = this.identity ? { resource: this.identity.resource } : target;
    const dialing = dialEdge(connectUrl(edgeUrl, where), token, WELCOME_TIMEOUT_MS);
    this.dialing = dialing;
    try {
      const { ws, welcome } = await dialing.done;
      this.identity = welcome.from;
      this.limits = welcome.limits;
      this.lastSeen = Date.now();
      this.ws = ws;
      ws.on("error", (err) => log("warn", "edge.error", { error: err.message }));
      ws.on("close", (code, reason) => this.onClose(ws, code, reason.toString()));
      ws.on("message", (data) => this.onMessage(data));
    } finally {
      this.dialing = undefined;
    }
  }

  private onMessage(data: WebSocket.RawData): void {
    this.lastSeen = Date.now();
    const frame = parseServerFrame(data);
    if (!frame) {
      this.options.log("warn", "edge.unreadable_frame");
      return;
    }
    switch (frame.t) {
      case "msg":
      case "direct":
      case "api.req":
        this.options.onPush(frame);
        return;
      case "ack":
      case "api.result":
      case "find.result":
      case "error": {
        const entry = frame.id === undefined ? undefined : this.pending.get(frame.id);
        if (!entry) {
          if (frame.t === "error") this.options.log("warn", "edge.error_frame", { code: frame.code, message: frame.message });
          return;
        }
        this.pending.delete(frame.id!);
        clearTimeout(entry.timer);
        entry.resolve(frame);
        return;
      }
      default:
        return;
    }
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws || this.state === "closed") return;
    this.stopPing();
    if (TERMINAL_CLOSE_CODES.has(code)) {
      this.finish({ code, reason });
      return;
    }
    this.options.log("warn", "edge.lost", { jid: this.identity.jid, code, reason });
    this.state = "reconnecting";
    this.attempt = 0;
    this.dropInFlight();
    this.scheduleReconnect();
  }

  /** In-flight requests when the socket drops: resend, leave to the restore, or fail, per their `onDrop`. */
  private dropInFlight(): void {
    const resend: Queued[] = [];
    for (const entry of this.pending.values()) {
      if (entry.onDrop === "fail") {
        clearTimeout(entry.timer);
        entry.reject(new BridgeError("disconnected", "the edge connection dropped before the answer"));
      } else {
        resend.push({ frame: entry.frame, request: entry });
      }
    }
    this.pending.clear();
    this.queue = [...resend, ...this.queue];
  }

  private scheduleReconnect(): void {
    const delay = backoffDelay(this.attempt++, this.options.backoff ?? { minMs: 100, maxMs: 3000 });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state !== "reconnecting") return;
      this.connect().then(
        () => this.restoreState(),
        (err: BridgeError) => {
          if (this.state !== "reconnecting") return;
          // 4xx: the edge no longer accepts this device (token expired meanwhile, grant revoked): give up.
          if (err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 429) {
            this.finish({ code: err.status === 401 ? 4001 : 4008, reason: err.message, error: err });
            return;
          }
          this.options.log("debug", "edge.retry", { attempt: this.attempt, error: err.message });
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  private restoreState(): void {
    if (this.state !== "reconnecting") {
      this.ws?.close(1000);
      return;
    }
    const ws = this.ws!;
    const timeoutMs = this.options.ackTimeoutMs ?? 15_000;
    const restores = this.options.restore().map((frame) => this.issue(frame, "restore", timeoutMs, true));
    // Subscriptions and served methods are rebuilt by the restore frames: their own queued frames would repeat them.
    const waiting = this.queue.flatMap((q) => (q.request?.onDrop === "restore" ? [q.request] : []));
    const rest = this.queue.filter((q) => q.request?.onDrop !== "restore");
    this.queue = [];
    this.state = "open";
    this.startPing();
    for (const q of rest) {
      if (q.request) this.pending.set(q.request.frame.id, q.request);
      ws.send(JSON.stringify(q.frame));
    }
    Promise.allSettled(restores).then((results) => {
      const failed = results.filter((r) => r.status === "rejected" || (r.value as ServerFrame).t === "error").length;
      this.options.log(failed ? "warn" : "info", "edge.restored", { jid: this.identity.jid, frames: results.length, failed });
      for (const entry of waiting) {
        clearTimeout(entry.timer);
        entry.resolve({ t: "ack", id: entry.frame.id });
      }
    });
  }

  private startPing(): void {
    this.stopPing();
    // A device is a worker: the edge closes it with 4002 unless it pings at least every pingIntervalMs.
    const every = Math.min(PING_INTERVAL_MS, this.limits.pingIntervalMs ?? PING_INTERVAL_MS);
    this.pingTimer = setInterval(() => {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      // Two silent intervals (not even a pong): the path to the edge is dead even if TCP has not noticed.
      if (Date.now() - this.lastSeen > 2 * every + 5000) {
        ws.terminate();
        return;
      }
      ws.send('{"t":"ping"}');
    }, every);
    this.pingTimer.unref?.();
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private finish(end: SessionEnd): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.stopPing();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.dialing?.abort();
    const gone = new BridgeError("disconnected", "the edge session ended");
    const requests = [...this.pending.values(), ...this.queue.flatMap((q) => (q.request ? [q.request] : []))];
    for (const entry of requests) {
      clearTimeout(entry.timer);
      entry.reject(gone);
    }
    this.pending.clear();
    this.queue = [];
    const ws = this.ws;
    if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) {
      ws.removeAllListeners("close");
      ws.on("error", () => {});
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, end.reason.slice(0, 100));
      else ws.terminate();
    }
    this.options.onEnd(end);
  }
}
