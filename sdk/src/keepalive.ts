/**
 * Keepalive cadence: a ping every `intervalMs`; no frame within `timeoutMs` after it means the socket is dead.
 *
 * @example
 * ```ts
 * await connect({ url, token, kind: "default", keepalive: { intervalMs: 10_000, timeoutMs: 3_000 } satisfies KeepaliveOptions });
 * ```
 */
export interface KeepaliveOptions {
  intervalMs?: number;
  timeoutMs?: number;
}

/**
 * The exact ping text: the edge's Durable Objects answer it from the runtime (auto-response) without waking,
 * so it must match byte for byte.
 *
 * @example
 * ```ts
 * socket.send(PING); // answered with {"t":"pong"}
 * ```
 */
export const PING = '{"t":"ping"}';

/** A ping after every this many characters read (well under the edge's default 16 MiB bound). */
export const READ_ACK_BYTES = 1024 * 1024;

/**
 * Pings an idle socket and declares it dead when nothing comes back in time. Any incoming frame counts
 * as a sign of life, so a busy socket is never dropped for a pong queued behind messages.
 *
 * @example
 * ```ts
 * const keepalive = new Keepalive({ intervalMs: 20_000, timeoutMs: 5_000 }, () => ws.send(PING), () => reconnect());
 * keepalive.start();
 * ws.onmessage = () => keepalive.alive();
 * ws.onclose = () => keepalive.stop();
 * ```
 */
export class Keepalive {
  private interval: ReturnType<typeof setInterval> | undefined;
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  /** Characters read since the last read-ack ping. */
  private unacked = 0;

  constructor(
    options: KeepaliveOptions,
    private readonly ping: () => void,
    private readonly dead: () => void,
  ) {
    this.intervalMs = options.intervalMs ?? 20_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * Starts pinging every `intervalMs`, or more often when the server asks for it: a worker must ping
   * at least every `pingIntervalMs` of its `welcome` (the edge closes a silent worker with 4002).
   */
  start(serverIntervalMs?: number): void {
    this.stop();
    const every =
      serverIntervalMs !== undefined && serverIntervalMs > 0 ? Math.min(this.intervalMs, serverIntervalMs) : this.intervalMs;
    this.interval = setInterval(() => {
      this.ping();
      this.deadline ??= setTimeout(() => {
        this.stop();
        this.dead();
      }, this.timeoutMs);
    }, every);
  }

  /**
   * A frame of `bytes` arrived: the socket is alive. After every `READ_ACK_BYTES` read, one ping
   * goes out: the edge closes a client that receives more than its `maxOutboundBytes` without
   * sending anything (the slow-consumer bound), and this tells it the client reads.
   */
  alive(bytes = 0): void {
    if (this.deadline !== undefined) clearTimeout(this.deadline);
    this.deadline = undefined;
    this.unacked += bytes;
    if (this.unacked >= READ_ACK_BYTES) {
      this.unacked = 0;
      this.ping();
    }
  }

  /** Stops all timers (the socket closed). */
  stop(): void {
    if (this.interval !== undefined) clearInterval(this.interval);
    this.interval = undefined;
    this.alive();
  }
}
