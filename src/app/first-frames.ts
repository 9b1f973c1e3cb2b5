import { hold, release } from "./send";

/**
 * The first frame (`welcome`) of the sockets an app object has just accepted, sent once the runtime
 * has taken their upgrade's 101 response: on the next turn of the event loop, or on an event the
 * object handles later (another connect, a frame) once the runtime's clock has moved, whichever
 * comes first. Whatever is sent to such a socket meanwhile waits behind its first frame, in order,
 * so the first frame is still the first the client reads and nothing reaches a block before its
 * `welcome`.
 *
 * Why wait: workerd keeps about 20 KiB per socket, for the socket's whole life, when a frame is sent
 * on it before the 101 has left the object (10,000 idle blocks measured 179 KiB each against the
 * bare echo's 154 KiB; 157 KiB with every welcome sent after), and the CPU it spends on that shows in
 * the connect rate. Per object, not per isolate: a socket may only be written from the object that
 * accepted it.
 *
 * @example
 * ```ts
 * const first = new FirstFrames();
 * first.send(ws, welcome); // then return the 101 response
 * first.released(Date.now()); // at the start of the object's next event
 * ```
 */
export class FirstFrames {
  private readonly waiting = new Set<WebSocket>();
  /** The runtime's clock when the oldest frame waiting was held. */
  private since = 0;

  send(ws: WebSocket, first: string): void {
    hold(ws, first);
    this.waiting.add(ws);
    if (this.waiting.size > 1) return;
    this.since = Date.now();
    setTimeout(() => this.release(), 0);
  }

  /**
   * At the start of an event: sends the held first frames once the runtime's clock has moved since
   * they were held (it moves only between I/O events). By then most of their 101s have left (about
   * half of the 20 KiB is saved in a burst of 250 connects; the timer alone saves all of it but
   * makes a burst's welcomes wait for the burst: connect p50 1.9x the echo's instead of 1.2x).
   */
  released(now: number): void {
    if (this.waiting.size > 0 && now > this.since) this.release();
  }

  /** Sends every held first frame, and what waits behind each. */
  release(): void {
    if (this.waiting.size === 0) return;
    for (const ws of this.waiting) release(ws);
    this.waiting.clear();
  }
}
