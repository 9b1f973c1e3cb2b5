import {
  type BackoffOptions,
  type BlockInfo,
  type ChannelMessage,
  type ConnectOptions,
  connect,
  ErrorCode,
  type FindQuery,
  type Identity,
  isNexusError,
  type NexusClient,
  type NexusError,
  type Subscription,
} from "../../sdk/src/core";
import type { Logger } from "./log";
import { type ApiAnswer, OpenRequests } from "./open-requests";

export type { ApiAnswer };

/** An API request the edge sent to this device, waiting for the device's answer. */
export interface ApiRequest {
  rid: string;
  method: string;
  from: Identity;
  data: unknown;
}

/** Why a session ended for good without the bridge asking: the SDK's error (its `closeCode` or `status`). */
export type SessionEnd = { error: NexusError | undefined };

/**
 * What a device's edge session needs to know.
 *
 * @example
 * ```ts
 * const options: EdgeSessionOptions = { edgeUrl, token, target: { resource: "device01" }, log, onMessage, onDirect, onRequest, onEnd };
 * ```
 */
export interface EdgeSessionOptions {
  edgeUrl: string;
  token: string;
  /** The device's resource (its MQTT username), or a kind when it gave none. */
  target: { resource: string } | { kind: string };
  log: Logger;
  onMessage(message: ChannelMessage): void;
  onDirect(text: string, from: Identity): void;
  /** An API request for a method the device serves; answer it with `answer(rid, ...)`. */
  onRequest(request: ApiRequest): void;
  /** Called once, when the edge ended the session for good (4001, 4008, 4009, a refused reconnect). */
  onEnd(end: SessionEnd): void;
  reconnect?: BackoffOptions;
}

/** A device holding more unanswered API requests than this is not keeping up: further ones fail at once. */
const MAX_OPEN_REQUESTS = 1000;
/**
 * `ws` reports a close only when TCP ends; workerd holds TCP about 10 s after its close frame, and `ws`
 * waits 30 s by default. Once the close frames are exchanged nothing more can arrive, so 100 ms is enough.
 */
const CLOSE_TIMEOUT_MS = 100;

/**
 * One device's Nexus connection: an SDK client opened with the device's own token (in the
 * `Authorization` header), so the edge validates the device itself; reconnect, backoff, keepalive,
 * restore of channels and served methods, close codes and errors are the SDK's. What this adapter adds
 * is what a gateway needs: API requests relayed by `rid` to the device and its answers back, publishes
 * resent after a drop (QoS 1 is at least once), and the session's end reported once.
 *
 * @example
 * ```ts
 * const session = await EdgeSession.open({ edgeUrl, token, target: { resource: "device01" }, log, onMessage, onDirect, onRequest, onEnd });
 * await session.subscribe("prices"); // undefined once acked, else the edge's error code
 * ```
 */
export class EdgeSession {
  private readonly channels = new Map<string, Subscription>();
  private readonly served = new Map<string, () => Promise<void>>();
  private readonly open = new OpenRequests(MAX_OPEN_REQUESTS, () => this.limits.apiTimeoutMs);
  private closing = false;

  private constructor(
    readonly client: NexusClient,
    private readonly options: EdgeSessionOptions,
  ) {}

  /** Opens the session; rejects with the SDK's `NexusError` (with `status` when the edge refused the upgrade). */
  static async open(options: EdgeSessionOptions): Promise<EdgeSession> {
    const connectOptions: ConnectOptions = {
      url: options.edgeUrl,
      token: options.token,
      ...options.target,
      tokenIn: "header",
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
      // A 503 is the device's to retry, after CONNACK "server unavailable".
      onFirstUnavailable: "reject",
      // As long as MQTT.js waits for CONNACK by default: a crowd of devices connecting at once must not time out here first.
      connectTimeoutMs: 30_000,
      reconnect: options.reconnect ?? { initialDelayMs: 100, maxDelayMs: 3000 },
    };
    const client = await connect(connectOptions);
    const session = new EdgeSession(client, options);
    session.watch();
    client.onDirect((text, ctx) => options.onDirect(text, ctx.from));
    return session;
  }

  /** This device's identity, as the edge stamps it (fixed across reconnects). */
  get identity(): Identity {
    return this.client.identity!;
  }

  get limits(): { maxFrameBytes: number; apiTimeoutMs: number } {
    return this.client.limits;
  }

  /** Publishes to a channel: QoS 0 fire and forget; QoS 1 waits for the ack and is resent after a drop (at least once). */
  publish(channel: string, data: string, retain: boolean, qos: 0 | 1): Promise<void> {
    if (qos === 0) {
      this.client.publish(channel, data, { retain }).catch((err) => this.logFailure("pub", err));
      return Promise.resolve();
    }
    return this.atLeastOnce(() => this.client.publish(channel, data, { retain, ack: true }));
  }

  /** Sends a Direct; QoS 1 as for `publish`. */
  direct(target: { app: string; resource: string; uid?: string }, data: string, qos: 0 | 1): Promise<void> {
    const options = { uid: target.uid, ack: qos === 1 };
    if (qos === 0) {
      this.client.direct(target.app, target.resource, data, options).catch((err) => this.logFailure("direct", err));
      return Promise.resolve();
    }
    return this.atLeastOnce(() => this.client.direct(target.app, target.resource, data, options));
  }

  /** Subscribes (once per channel); resolves with undefined once acked, else with the edge's error code. */
  async subscribe(channel: string): Promise<string | undefined> {
    if (this.channels.has(channel)) return undefined;
    try {
      const sub = await this.client.subscribe(channel, (_text, message) => this.options.onMessage(message));
      this.channels.set(channel, sub);
      return undefined;
    } catch (err) {
      return codeOf(err);
    }
  }

  async unsubscribe(channel: string): Promise<string | undefined> {
    const sub = this.channels.get(channel);
    if (!sub) return undefined;
    this.channels.delete(channel);
    try {
      await sub.unsubscribe();
      return undefined;
    } catch (err) {
      return codeOf(err);
    }
  }

  /** Serves `method` ("*" for every method); API requests for it go to `onRequest`. */
  async serve(method: string): Promise<string | undefined> {
    if (this.served.has(method)) return undefined;
    try {
      const stop = await this.client.serve(method, (data, ctx) =>
        this.open.wait(ctx.rid, () => this.options.onRequest({ rid: ctx.rid, method: ctx.method, from: ctx.from, data })),
      );
      this.served.set(method, stop);
      return undefined;
    } catch (err) {
      return codeOf(err);
    }
  }

  async unserve(method: string): Promise<string | undefined> {
    const stop = this.served.get(method);
    if (!stop) return undefined;
    this.served.delete(method);
    try {
      await stop();
      return undefined;
    } catch (err) {
      return codeOf(err);
    }
  }

  /** True while the edge waits for this device's answer to `rid`. */
  awaits(rid: string): boolean {
    return this.open.has(rid);
  }

  /** The device's answer to an API request it received; false when no request `rid` waits on this device. */
  answer(rid: string, answer: ApiAnswer): boolean {
    return this.open.answer(rid, answer);
  }

  /** An API call; resolves with the answer and the worker that gave it, rejects with a `NexusError`. */
  call(
    app: string,
    method: string,
    data: unknown,
    options: { resource?: string; uid?: string; timeoutMs?: number },
  ): Promise<{ data: unknown; from: Identity }> {
    return this.client.call(app, method, data, options);
  }

  find(query: FindQuery): Promise<BlockInfo[]> {
    return this.client.find(query);
  }

  /** Registers the device's MQTT will with the edge, which publishes it if the session ends uncleanly. */
  async setWill(channel: string, data: string, retain: boolean): Promise<string | undefined> {
    try {
      await this.client.setWill(channel, data, { retain });
      return undefined;
    } catch (err) {
      return codeOf(err);
    }
  }

  /**
   * Ends the session for good (the device left). A clean leave clears the will first; otherwise
   * (`publishWill`) the edge publishes it as the socket closes, as it would if the bridge died.
   */
  async close(options: { publishWill?: boolean } = {}): Promise<void> {
    this.closing = true;
    this.open.clear();
    await this.client.close({ clearWill: options.publishWill !== true });
  }

  private async atLeastOnce(send: () => Promise<void>): Promise<void> {
    for (;;) {
      try {
        await send();
        return;
      } catch (err) {
        // Sent, then the socket dropped: the edge may or may not have it. Send again on the next socket (QoS 1).
        if (!this.closing && this.client.state !== "closed" && isNexusError(err, ErrorCode.disconnected) && err.retryable)
          continue;
        throw err;
      }
    }
  }

  private watch(): void {
    const { log } = this.options;
    let lastError: NexusError | undefined;
    let lost = false;
    let failed = 0;
    this.client.on("error", (err) => {
      lastError = err;
      if (lost) failed += 1;
      log("warn", "edge.error", { code: err.code, message: err.message, closeCode: err.closeCode, status: err.status });
    });
    this.client.on("state", (state) => {
      if (state === "disconnected" && !lost) {
        lost = true;
        log("warn", "edge.lost", { jid: this.identity.jid });
      } else if (state === "connecting") {
        // Errors before this point were failed attempts; from here on they are failed restores.
        failed = 0;
      } else if (state === "connected" && lost) {
        lost = false;
        log(failed ? "warn" : "info", "edge.restored", { jid: this.identity.jid, failed });
      } else if (state === "closed" && !this.closing) {
        this.options.onEnd({ error: lastError });
      }
    });
  }

  private logFailure(what: string, err: unknown): void {
    this.options.log("warn", "edge.send_failed", { frame: what, code: codeOf(err), message: String(err) });
  }
}

/**
 * The wire code of a failure (a `NexusError`'s code, else `internal`).
 *
 * @example
 * ```ts
 * codeOf(new NexusError("forbidden", "no grant")); // "forbidden"
 * ```
 */
export function codeOf(err: unknown): string {
  return isNexusError(err) ? err.code : ErrorCode.internal;
}
