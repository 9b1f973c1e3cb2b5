import type { ClientFrame, ServerFrame } from "../../src/protocol/frames";
import { ErrorCode, NexusError } from "./errors";

type WithId = Extract<ClientFrame, { id?: string }>;
/**
 * A client frame that carries an `id`, before the id is assigned.
 *
 * @example
 * ```ts
 * const frame: RequestFrame = { t: "find", kind: "default" }; // PendingCalls adds the id
 * ```
 */
export type RequestFrame = WithId extends infer F ? (F extends WithId ? Omit<F, "id"> : never) : never;
/**
 * A server frame that answers a request.
 *
 * @example
 * ```ts
 * if (frame.t === "ack" || frame.t === "api.result") pending.settle(frame satisfies AnswerFrame);
 * ```
 */
export type AnswerFrame = Extract<ServerFrame, { id?: string }>;

/**
 * Per-request options.
 *
 * @example
 * ```ts
 * await pending.request({ t: "pub", channel: "c", data: "x" }, { timeoutMs: 5000, expectAnswer: false });
 * ```
 */
export interface RequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** False for fire-and-forget frames: resolved once written to the socket. */
  expectAnswer: boolean;
  /** Write now on the open socket even before `connected` (restoring declarations after `welcome`). */
  bypassQueue?: boolean;
}

/**
 * Where requests go: `ready()` is true once calls may go out; `send` writes one frame.
 *
 * @example
 * ```ts
 * const link: RequestLink = { ready: () => state === "connected", send: (text) => socket.send(text) };
 * ```
 */
export interface RequestLink {
  ready(): boolean;
  send(text: string): void;
}

interface Entry {
  id: string;
  frame: RequestFrame;
  options: RequestOptions;
  deadline: number;
  sent: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve(frame: AnswerFrame | undefined): void;
  reject(err: unknown): void;
  cleanup(): void;
}

// The server times a call out itself at `timeoutMs`; the local timer waits a little longer so its answer wins.
const SENT_GRACE_MS = 1000;

/**
 * Requests waiting for their answer, keyed by `id`: queued while disconnected (bounded by their
 * timeout), rejected with a retryable `disconnected` when the socket drops after they were sent.
 *
 * @example
 * ```ts
 * const pending = new PendingCalls({ ready: () => open, send: (t) => socket.send(t) });
 * const answer = await pending.request({ t: "find" }, { timeoutMs: 5000, expectAnswer: true });
 * // on each incoming frame with an id: pending.settle(frame)
 * ```
 */
export class PendingCalls {
  private readonly entries = new Map<string, Entry>();
  private nextId = 1;

  constructor(private readonly link: RequestLink) {}

  /** The number of requests not yet answered (queued or in flight). */
  get size(): number {
    return this.entries.size;
  }

  /** Sends (or queues) a frame and resolves with its answer; error answers reject with `NexusError`. */
  request(frame: RequestFrame, options: RequestOptions): Promise<AnswerFrame | undefined> {
    return new Promise((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const id = `${frame.t === "api" ? "c" : frame.t[0]}${this.nextId++}`;
      const onAbort = () => this.finish(id, () => reject(signal?.reason));
      const entry: Entry = {
        id,
        frame,
        options,
        deadline: Date.now() + options.timeoutMs,
        sent: false,
        timer: undefined,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.entries.set(id, entry);
      this.arm(entry, options.timeoutMs);
      if (options.bypassQueue || this.link.ready()) this.write(entry);
    });
  }

  /** Sends every queued request, in the order they were made; call when the connection is ready. */
  flush(): void {
    for (const entry of [...this.entries.values()]) if (!entry.sent) this.write(entry);
  }

  /** Settles the request an answer belongs to; false when no request has that id (late or foreign). */
  settle(frame: AnswerFrame): boolean {
    const id = frame.id;
    if (id === undefined) return false;
    const entry = this.entries.get(id);
    if (!entry) return false;
    if (frame.t === "error") this.finish(id, () => entry.reject(NexusError.fromWire(frame)));
    else if (frame.t === "api.result" && !frame.ok) this.finish(id, () => entry.reject(NexusError.fromWire(frame.error)));
    else this.finish(id, () => entry.resolve(frame));
    return true;
  }

  /** Rejects what was sent on a socket that dropped; queued requests keep waiting for the next one. */
  dropInFlight(error: NexusError): void {
    for (const entry of [...this.entries.values()]) if (entry.sent) this.finish(entry.id, () => entry.reject(error));
  }

  /** Rejects everything, sent or queued (the client is closing). */
  rejectAll(error: NexusError): void {
    for (const entry of [...this.entries.values()]) this.finish(entry.id, () => entry.reject(error));
  }

  private write(entry: Entry): void {
    const remaining = entry.deadline - Date.now();
    // `t` and `id` lead the frame so the server can echo the id even for a frame too large to parse.
    const { t, ...fields } = entry.frame;
    // Fire-and-forget frames carry no id: the server then sends nothing back for them.
    const wire: Record<string, unknown> = entry.options.expectAnswer ? { t, id: entry.id, ...fields } : { t, ...fields };
    if (entry.frame.t === "api") wire.timeoutMs = Math.max(1, Math.min(remaining, entry.options.timeoutMs));
    this.link.send(JSON.stringify(wire));
    entry.sent = true;
    if (!entry.options.expectAnswer) {
      this.finish(entry.id, () => entry.resolve(undefined));
      return;
    }
    this.arm(entry, remaining + SENT_GRACE_MS);
  }

  private arm(entry: Entry, delayMs: number): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      const what = entry.frame.t === "api" ? `api ${entry.frame.app}/${entry.frame.method}` : entry.frame.t;
      const where = entry.sent ? "no answer" : "not connected";
      this.finish(entry.id, () =>
        entry.reject(new NexusError(ErrorCode.timeout, `${what}: ${where} within ${entry.options.timeoutMs} ms`)),
      );
    }, delayMs);
  }

  private finish(id: string, settle: () => void): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.cleanup();
    settle();
  }
}
