/**
 * The object's one alarm, shared by all its deadlines (token expiries, the workers' keepalive): it is
 * set for the nearest of them, and when it fires every owner of a deadline handles what is due and
 * says when it next needs the alarm. The alarm time is read from storage once per instance, then kept,
 * so asking for a deadline rarely waits on storage.
 *
 * @example
 * ```ts
 * await clock.by(session.exp); // fires at exp or earlier
 * // in alarm(): handle what is due, then
 * await clock.next([expiry.next(), keepalive.next(now)]);
 * ```
 */
export class AlarmClock {
  /** The scheduled alarm, once read: undefined until then, null when none is set. */
  private at: number | null | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Makes sure the alarm fires at `time` or earlier. */
  async by(time: number): Promise<void> {
    this.at ??= await this.storage.getAlarm();
    if (this.at !== null && this.at <= time) return;
    this.at = time;
    await this.storage.setAlarm(time);
  }

  /** After the alarm fired: sets it for the nearest of the deadlines still wanted, if any. */
  async next(deadlines: (number | undefined)[]): Promise<void> {
    let nearest: number | undefined;
    for (const d of deadlines) if (d !== undefined && (nearest === undefined || d < nearest)) nearest = d;
    this.at = nearest ?? null;
    if (nearest !== undefined) await this.storage.setAlarm(nearest);
  }
}
