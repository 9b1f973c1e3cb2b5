import { exceedsBytes, NAME_PATTERN } from "../../src/protocol/codec";
import type { ServerFrame, WireError } from "../../src/protocol/frames";
import { ErrorCode, isNexusError, NexusError } from "./errors";
import type { ApiHandler } from "./options";
import type { AnswerFrame, RequestFrame } from "./pending-calls";

/**
 * What the served methods need from the client.
 *
 * @example
 * ```ts
 * const link: ServeLink = { isOpen, declare, answer: (gen, text) => gen === current && send(text), generation: () => current, maxFrameBytes: () => 262144, error: console.error };
 * ```
 */
export interface ServeLink {
  isOpen(): boolean;
  /** Writes a request on the open socket (before `connected` too) and resolves with its ack. */
  declare(frame: RequestFrame): Promise<AnswerFrame | undefined>;
  /** Writes a frame on the socket of `generation`; dropped if that socket is gone. */
  answer(generation: number, text: string): void;
  generation(): number;
  maxFrameBytes(): number;
  error(err: unknown): void;
}

interface Waiter {
  version: number;
  method: string;
  handler: ApiHandler;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * The methods this worker serves and their handlers. Every change sends one `serve` frame with the
 * whole set (the contract's `serve` replaces the previous set), and so does every reconnect.
 *
 * @example
 * ```ts
 * const served = new ServedMethods(link);
 * const stop = await served.add("sum", ({ a, b }) => a + b); // resolves on the server's ack
 * // on each api.req frame: served.handle(frame); on welcome: await served.restore()
 * await stop();
 * ```
 */
export class ServedMethods {
  private readonly handlers = new Map<string, ApiHandler>();
  private readonly waiters: Waiter[] = [];
  private version = 0;

  constructor(private readonly link: ServeLink) {}

  /** The served method names ("*" serves every method). */
  methods(): string[] {
    return [...this.handlers.keys()];
  }

  /** Serves `method` with `handler` (replacing an earlier handler of it); resolves once the server acks. */
  add(method: string, handler: ApiHandler): Promise<() => Promise<void>> {
    if (method !== "*" && !NAME_PATTERN.test(method)) {
      return Promise.reject(
        new NexusError(ErrorCode.bad_request, `method must be "*" or match ${NAME_PATTERN.source}: ${method}`),
      );
    }
    this.handlers.set(method, handler);
    const version = ++this.version;
    const acked = new Promise<void>((resolve, reject) => this.waiters.push({ version, method, handler, resolve, reject }));
    if (this.link.isOpen()) void this.sync();
    return acked.then(() => () => this.remove(method, handler));
  }

  /** Declares the whole set again on a fresh socket. */
  async restore(): Promise<void> {
    if (this.handlers.size > 0 || this.waiters.length > 0) await this.sync();
  }

  /** Runs the handler of an `api.req` and answers it once; many run concurrently. */
  async handle(frame: Extract<ServerFrame, { t: "api.req" }>): Promise<void> {
    const generation = this.link.generation();
    const handler = this.handlers.get(frame.method) ?? this.handlers.get("*");
    let answer: { ok: true; data: unknown } | { ok: false; error: WireError };
    if (!handler) answer = { ok: false, error: { code: ErrorCode.no_responders, message: `${frame.method} is not served here` } };
    else {
      try {
        const data = await handler(frame.data, { from: frame.from, method: frame.method, rid: frame.rid });
        answer = { ok: true, data: data === undefined ? null : data };
      } catch (err) {
        answer = { ok: false, error: wireError(err) };
      }
    }
    this.link.answer(generation, this.encode(frame.rid, answer));
  }

  private encode(rid: string, answer: { ok: true; data: unknown } | { ok: false; error: WireError }): string {
    let text: string;
    try {
      text = JSON.stringify({ t: "api.res", rid, ...answer });
    } catch (err) {
      return JSON.stringify({
        t: "api.res",
        rid,
        ok: false,
        error: { code: ErrorCode.app_error, message: `answer is not JSON: ${String(err)}` },
      });
    }
    // The edge would refuse an oversize answer with an error the caller never sees; tell the caller instead.
    if (!exceedsBytes(text, this.link.maxFrameBytes())) return text;
    const message = `answer exceeds maxFrameBytes (${this.link.maxFrameBytes()})`;
    return JSON.stringify({ t: "api.res", rid, ok: false, error: { code: ErrorCode.too_large, message } });
  }

  private async remove(method: string, handler: ApiHandler): Promise<void> {
    if (this.handlers.get(method) !== handler) return;
    this.handlers.delete(method);
    if (this.link.isOpen()) await this.sync();
  }

  private async sync(): Promise<void> {
    const version = this.version;
    try {
      await this.link.declare({ t: "serve", methods: this.methods() });
    } catch (err) {
      // After a drop, restore declares the set again and the waiters keep waiting for that ack.
      if (isNexusError(err, ErrorCode.disconnected) && err.retryable) return;
      const failed = this.take(version);
      // A refused set (e.g. not_a_worker) must not be declared again on every reconnect.
      for (const w of failed) if (this.handlers.get(w.method) === w.handler) this.handlers.delete(w.method);
      for (const w of failed) w.reject(err);
      if (failed.length === 0) this.link.error(err);
      return;
    }
    for (const w of this.take(version)) w.resolve();
  }

  private take(version: number): Waiter[] {
    const taken: Waiter[] = [];
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.version <= version) taken.unshift(...this.waiters.splice(i, 1));
    }
    return taken;
  }
}

/** A worker may answer only app_error or bad_request (the edge turns any other code into app_error). */
function wireError(err: unknown): WireError {
  if (isNexusError(err))
    return { code: err.code === ErrorCode.bad_request ? err.code : ErrorCode.app_error, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: ErrorCode.app_error, message };
}
