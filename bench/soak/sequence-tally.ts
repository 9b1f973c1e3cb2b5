/** What one receiver of a numbered stream saw, and what it missed. */
export interface SequenceCounts {
  /** Distinct numbers received. */
  got: number;
  /** Numbers received again after their first arrival. */
  duplicated: number;
  /** Numbers that arrived after a higher number had (first arrivals only). */
  outOfOrder: number;
}

/**
 * Counts one receiver's view of a numbered stream (0, 1, 2, ... from one sender) exactly: each
 * number's first arrival, repeats, and arrivals behind a higher number. Which expected numbers never
 * came is asked of it at the end (`missing`).
 *
 * @example
 * ```ts
 * const tally = new SequenceTally();
 * for (const n of [0, 1, 1, 3, 2]) tally.receive(n);
 * tally.counts(); // { got: 4, duplicated: 1, outOfOrder: 1 }
 * tally.missing([0, 1, 2, 3, 4]); // [4]
 * ```
 */
export class SequenceTally {
  private readonly seen = new Set<number>();
  private highest = -1;
  private duplicated = 0;
  private outOfOrder = 0;

  /** Records one arrival of number `n`. */
  receive(n: number): void {
    if (this.seen.has(n)) {
      this.duplicated++;
      return;
    }
    if (n < this.highest) this.outOfOrder++;
    this.seen.add(n);
    if (n > this.highest) this.highest = n;
  }

  /** True once `n` has arrived. */
  has(n: number): boolean {
    return this.seen.has(n);
  }

  /** The highest number received so far, -1 before the first. */
  get max(): number {
    return this.highest;
  }

  counts(): SequenceCounts {
    return { got: this.seen.size, duplicated: this.duplicated, outOfOrder: this.outOfOrder };
  }

  /** The numbers of `expected` that never arrived, in order. */
  missing(expected: Iterable<number>): number[] {
    const out: number[] = [];
    for (const n of expected) if (!this.seen.has(n)) out.push(n);
    return out;
  }
}
