/**
 * Counts messages and reports the rate over the last few whole seconds (for the stats route).
 *
 * @example
 * ```ts
 * const meter = new RateMeter();
 * meter.mark();
 * meter.perSecond(); // messages per second over the last 5 s
 * ```
 */
export class RateMeter {
  total = 0;
  private readonly buckets = new Float64Array(6);
  private second = 0;

  mark(now = Date.now()): void {
    this.total++;
    this.roll(Math.floor(now / 1000));
    this.buckets[this.second % this.buckets.length]! += 1;
  }

  perSecond(now = Date.now()): number {
    const sec = Math.floor(now / 1000);
    this.roll(sec);
    let sum = 0;
    // The current second is partial: average over the five complete ones before it.
    for (let i = 1; i < this.buckets.length; i++) sum += this.buckets[(sec - i) % this.buckets.length]!;
    return sum / (this.buckets.length - 1);
  }

  private roll(sec: number): void {
    if (sec === this.second) return;
    const gap = Math.min(sec - this.second, this.buckets.length);
    for (let i = 1; i <= gap; i++) this.buckets[(this.second + i) % this.buckets.length] = 0;
    this.second = sec;
  }
}
