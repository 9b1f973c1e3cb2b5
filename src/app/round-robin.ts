/**
 * Round-robin over the candidates of each pool: with N stable workers, M calls give each worker
 * M/N ± 1. A pool is named by what decides its candidates (see `poolKey`), never by arbitrary method
 * names, and at most `maxPools` rotations are kept (the least recently used goes first), so callers
 * naming random methods cannot grow it.
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

  constructor(private readonly maxPools = 10_000) {}

  pick<T>(pool: string, candidates: readonly T[]): T | undefined {
    if (candidates.length === 0) return undefined;
    const n = this.next.get(pool) ?? 0;
    // Re-inserted, so the map's order is least recently used first.
    this.next.delete(pool);
    this.next.set(pool, (n + 1) % 1_000_000_007);
    if (this.next.size > this.maxPools) this.next.delete(this.next.keys().next().value as string);
    return candidates[n % candidates.length];
  }

  /** Pools with a rotation kept (for the stats route). */
  get size(): number {
    return this.next.size;
  }
}

/**
 * The pool a call to `method` of `uid`'s workers draws from: the workers that name the method, with
 * those that serve every method ("*"). A method no worker names has the same candidates as every
 * other such method (the "*" workers), so they share one rotation.
 *
 * @example
 * ```ts
 * poolKey("u1", "sum", true); // "u1\u0000sum"
 * poolKey("u1", "random-name-42", false); // "u1\u0000*"
 * ```
 */
export function poolKey(uid: string, method: string, named: boolean): string {
  return named ? `${uid}\u0000${method}` : `${uid}\u0000*`;
}
