/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same run, on every machine.
 *
 * @example
 * ```ts
 * const rng = new Prng(42);
 * const gap = rng.exponential(1000); // ms until the next arrival at 1,000/s
 * ```
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Milliseconds to the next event of a Poisson stream of `perSec` events per second. */
  exponential(perSec: number): number {
    return (-Math.log(1 - this.next()) / perSec) * 1000;
  }
}
