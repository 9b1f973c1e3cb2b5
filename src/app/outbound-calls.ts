/**
 * The API calls each local caller has in flight, and the app each one went to, so that a caller
 * that disconnects cancels exactly its own calls, wherever they are pending.
 *
 * @example
 * ```ts
 * outbound.open(conn, callKey, "etest");
 * if (outbound.close(conn, callKey)) sendResult(); // false: the caller left meanwhile
 * for (const [app, keys] of outbound.takeAll(conn)) cancel(app, keys);
 * ```
 */
export class OutboundCalls {
  private readonly byConn = new Map<string, Map<string, string>>();

  open(conn: string, callKey: string, app: string): void {
    const calls = this.byConn.get(conn) ?? new Map<string, string>();
    this.byConn.set(conn, calls);
    calls.set(callKey, app);
  }

  /** Ends a call; false when it was already cancelled (its caller left). */
  close(conn: string, callKey: string): boolean {
    const calls = this.byConn.get(conn);
    if (!calls?.delete(callKey)) return false;
    if (calls.size === 0) this.byConn.delete(conn);
    return true;
  }

  /** How many calls a caller has in flight. */
  count(conn: string): number {
    return this.byConn.get(conn)?.size ?? 0;
  }

  /** Callers with calls in flight, and those calls (for the stats route). */
  get sizes(): { callers: number; calls: number } {
    let calls = 0;
    for (const c of this.byConn.values()) calls += c.size;
    return { callers: this.byConn.size, calls };
  }

  /** Removes every call of a caller; answers their keys grouped by target app. */
  takeAll(conn: string): Map<string, string[]> {
    const byApp = new Map<string, string[]>();
    for (const [key, app] of this.byConn.get(conn) ?? []) byApp.set(app, [...(byApp.get(app) ?? []), key]);
    this.byConn.delete(conn);
    return byApp;
  }
}
