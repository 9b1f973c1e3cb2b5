/**
 * Work an app object must finish although no frame waits for it (presence updates, channel leaves,
 * cancels at other objects): handed to the runtime's `waitUntil`, and counted, so that the stats
 * route can say what is still in flight and wait for it to settle before it reports.
 *
 * @example
 * ```ts
 * const background = new BackgroundWork((p) => ctx.waitUntil(p));
 * background.run(stub.leave(channel, app));
 * await background.settled(); // everything run so far has finished
 * ```
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly waitUntil: (work: Promise<unknown>) => void) {}

  run(work: Promise<unknown>): void {
    const tracked: Promise<unknown> = work.then(
      () => this.running.delete(tracked),
      () => this.running.delete(tracked),
    );
    this.running.add(tracked);
    this.waitUntil(tracked);
  }

  /** Resolves once nothing is in flight, including work that the finishing work started. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  get size(): number {
    return this.running.size;
  }
}
