import WebSocket from "ws";

/** A frame as the bench sees it: the wire's JSON, loosely typed (the bench reads only `t`, `id`, `rid`, `data`). */
export type Frame = { t: string; id?: string; rid?: string; data?: unknown; [k: string]: unknown };

/**
 * Raised when a connection is refused, drops, or an answer does not come in time.
 *
 * @example
 * ```ts
 * if (err instanceof BenchWireError && err.code === "timeout") console.log("stalled");
 * ```
 */
export class BenchWireError extends Error {
  override name = "BenchWireError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Sockets that closed without the bench closing them (a runtime reload, a crash, a policy close). */
export const lostSockets = { count: 0, lastCode: 0 };

/**
 * A raw wire-level Nexus (or echo) client on `ws`: no SDK, so the figures carry only the protocol's cost.
 * Frames that answer a pending `id` resolve `request()`; every other frame goes to `onFrame`.
 *
 * @example
 * ```ts
 * const c = await WireClient.open(`${connectUrl}?token=${t}&kind=default`);
 * await c.request({ t: "serve", id: "s1", methods: ["*"] });
 * ```
 */
export class WireClient {
  /** Receives every frame that is not the answer to a pending request. */
  onFrame: (frame: Frame) => void = () => {};
  /** The server's `welcome` frame (undefined for the echo baseline). */
  welcome: Frame | undefined;
  private readonly pending = new Map<string, (frame: Frame) => void>();
  private nextId = 0;
  private closing = false;

  private constructor(readonly ws: WebSocket) {
    ws.on("close", (code) => {
      if (this.closing) return;
      lostSockets.count++;
      lostSockets.lastCode = code;
    });
    ws.on("message", (raw) => {
      const frame = JSON.parse(raw.toString()) as Frame;
      const waiter = frame.id === undefined ? undefined : this.pending.get(frame.id);
      if (waiter) {
        this.pending.delete(frame.id!);
        waiter(frame);
      } else this.onFrame(frame);
    });
  }

  /**
   * Opens a socket; with `welcome` (the default) waits for the Nexus `welcome` frame.
   *
   * @example
   * ```ts
   * const echo = await WireClient.open(`${httpUrl.replace("http", "ws")}/bench/echo`, { welcome: false });
   * ```
   */
  static open(url: string, options: { welcome?: boolean; timeoutMs?: number } = {}): Promise<WireClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timeoutMs = options.timeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new BenchWireError(`no welcome within ${timeoutMs} ms`, "timeout"));
      }, timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(new BenchWireError(`connect failed: ${err.message}`, "refused"));
      };
      ws.once("error", fail);
      ws.once("unexpected-response", (_req, res) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new BenchWireError(`connect refused with HTTP ${res.statusCode}`, "refused"));
      });
      ws.once("open", () => {
        if (options.welcome === false) {
          clearTimeout(timer);
          ws.off("error", fail);
          resolve(new WireClient(ws));
          return;
        }
        ws.once("message", (raw) => {
          clearTimeout(timer);
          ws.off("error", fail);
          const client = new WireClient(ws);
          client.welcome = JSON.parse(raw.toString()) as Frame;
          resolve(client);
        });
      });
    });
  }

  /** Sends a frame (an object, or a string sent as is). */
  send(frame: Frame | string): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /**
   * Sends a frame with a fresh `id` and resolves with the frame that answers it (ack, error, result).
   *
   * @example
   * ```ts
   * const ack = await c.request({ t: "sub", channel: "prices" });
   * ```
   */
  request(frame: Frame, timeoutMs = 10_000): Promise<Frame> {
    const id = frame.id ?? `b${++this.nextId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new BenchWireError(`no answer to ${frame.t} ${id} within ${timeoutMs} ms`, "timeout"));
      }, timeoutMs);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.send({ ...frame, id });
    });
  }

  /** Like `request`, but rejects unless the answer is an `ack`. */
  async expectAck(frame: Frame): Promise<void> {
    const answer = await this.request(frame);
    if (answer.t !== "ack") throw new BenchWireError(`${frame.t} answered ${JSON.stringify(answer)}`, String(answer.code));
  }

  /** Closes the socket and resolves once it is closed. */
  close(): Promise<void> {
    this.closing = true;
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close(1000);
    });
  }
}

/**
 * Opens `count` clients, `batch` at a time, and reports the time each batch took.
 *
 * @example
 * ```ts
 * const { clients } = await openMany(1000, 100, () => WireClient.open(url));
 * ```
 */
export async function openMany(
  count: number,
  batch: number,
  open: (i: number) => Promise<WireClient>,
  onProgress?: (done: number) => void,
): Promise<{ clients: WireClient[]; perConnectMs: number[] }> {
  const clients: WireClient[] = [];
  const perConnectMs: number[] = [];
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    const started = await Promise.all(
      Array.from({ length: n }, async (_, k) => {
        const t0 = performance.now();
        const c = await open(i + k);
        perConnectMs.push(performance.now() - t0);
        return c;
      }),
    );
    clients.push(...started);
    onProgress?.(clients.length);
  }
  return { clients, perConnectMs };
}

/**
 * Closes every client, in parallel.
 *
 * @example
 * ```ts
 * await closeAll(subscribers);
 * ```
 */
export async function closeAll(clients: readonly WireClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}
