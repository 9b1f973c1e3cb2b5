/**
 * Collects the bridge's structured log records and lets a test wait for one (an event, not a sleep).
 *
 * @example
 * ```ts
 * const logs = new LogWatch();
 * const s = await startStack({ bridge: true, bridgeLog: logs.sink });
 * await logs.waitFor((r) => r.event === "edge.restored" && String(r.jid).endsWith("/device1"));
 * ```
 */
export class LogWatch {
  readonly records: Record<string, unknown>[] = [];
  private readonly waiters: Array<{
    match: (r: Record<string, unknown>) => boolean;
    resolve: (r: Record<string, unknown>) => void;
  }> = [];

  readonly sink = (record: Record<string, unknown>): void => {
    this.records.push(record);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.match(record)) {
        this.waiters.splice(i, 1);
        w.resolve(record);
      }
    }
  };

  /** Resolves with the first record from now on (or already seen after `since`) that matches. */
  waitFor(match: (r: Record<string, unknown>) => boolean, since = 0, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const seen = this.records.slice(since).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("log record did not come")), timeoutMs);
      this.waiters.push({
        match,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }
}
