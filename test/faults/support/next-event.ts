/** Where {@link nextEvent} looks: the events so far and the listeners called after each new one. */
export interface EventLog<E> {
  readonly events: E[];
  readonly listeners: Set<() => void>;
}

/**
 * The first event at index `from` or later that matches, waiting for it; rejects with `timedOut()`
 * after `timeoutMs` (a bound, so a broken behaviour fails instead of hanging), or with what `gone()`
 * returns as soon as it returns an error (the process behind the log has ended).
 *
 * @example
 * ```ts
 * const ready = await nextEvent(log, (e) => e.event === "ready", 0, 60_000, () => new Error("no ready"));
 * ```
 */
export function nextEvent<E>(
  log: EventLog<E>,
  match: (e: E) => boolean,
  from: number,
  timeoutMs: number,
  timedOut: () => Error,
  gone: () => Error | undefined = () => undefined,
): Promise<E> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(timedOut()), timeoutMs);
    const check = () => {
      const found = log.events.slice(from).find(match);
      if (found) done(undefined, found);
      else {
        const err = gone();
        if (err) done(err);
      }
    };
    const done = (err?: Error, event?: E) => {
      clearTimeout(timer);
      log.listeners.delete(check);
      if (err) reject(err);
      else resolve(event!);
    };
    log.listeners.add(check);
    check();
  });
}
