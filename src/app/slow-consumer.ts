import { send } from "./send";

/** What the guard keeps on each session: bytes sent since the client last showed life. */
export interface Outbound<Socket = WebSocket> {
  ws: Socket;
  /** UTF-16 units sent since the last frame or ping from the client (bytes, for the ASCII that JSON mostly is). */
  unread: number;
  /** The last auto-answered ping already taken into account, in ms since the epoch. */
  pingSeen: number;
}

/**
 * The slow-consumer bound (NATS's "slow consumer"): the runtime does not tell a Durable Object how
 * much it still buffers for a socket (workerd has no `bufferedAmount` on server-side sockets), so
 * the edge counts what it sent since the client last sent anything, a frame or a ping. Past
 * `maxOutboundBytes` it looks at the last ping the runtime answered for it; if none came since, the
 * client is not reading and is closed with 4013. SDK clients ping after every MiB they read, so a
 * client that reads is never cut, and one that stops reading holds at most `maxOutboundBytes`.
 *
 * @example
 * ```ts
 * const guard = new SlowConsumerGuard(16 << 20, (ws) => ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime(), close);
 * guard.send(session, frame);
 * guard.heard(session); // a frame arrived from it
 * ```
 */
export class SlowConsumerGuard<Socket = WebSocket> {
  constructor(
    private readonly maxOutboundBytes: number,
    private readonly lastPing: (ws: Socket) => number | undefined,
    private readonly slow: (ws: Socket) => void,
    private readonly write: (ws: Socket, text: string) => boolean = send as (ws: Socket, text: string) => boolean,
  ) {}

  /** Sends a frame if the socket is open; false when it was not sent. */
  send(s: Outbound<Socket>, text: string): boolean {
    if (!this.write(s.ws, text)) return false;
    s.unread += text.length;
    if (s.unread > this.maxOutboundBytes) this.check(s);
    return true;
  }

  /** A frame arrived from the client: it is reading its socket's other end, or at least alive. */
  heard(s: Outbound<Socket>): void {
    s.unread = 0;
  }

  private check(s: Outbound<Socket>): void {
    const ping = this.lastPing(s.ws);
    if (ping !== undefined && ping > s.pingSeen) {
      s.pingSeen = ping;
      s.unread = 0;
      return;
    }
    this.slow(s.ws);
  }
}
