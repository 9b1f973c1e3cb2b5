/**
 * Round-robin over the candidates of each (uid, method) pool: with N stable workers, M calls give
 * each worker M/N ± 1.
 *
 * @example
 * ```ts
 * const rr = new RoundRobin();
 * rr.pick("u1\0sum", [a, b]); // a
 * rr.pick("u1\0sum", [a, b]); // b
 * ```
 */
export class RoundRobin {
  private readonly next = new Map<string, number>();

  pick<T>(pool: string, candidates: readonly T[]): T | undefined {
    if (candidates.length === 0) return undefined;
    const n = this.next.get(pool) ?? 0;
    this.next.set(pool, (n + 1) % 1_000_000_007);
    return candidates[n % candidates.length];
  }

  /** Pools with a rotation kept (for the stats route). */
  get size(): number {
    return this.next.size;
  }
}
