/**
 * A tiny typed event emitter: `on()` returns its own unsubscribe function.
 * A listener that throws does not stop the others; its error goes to `onListenerError`.
 *
 * @example
 * ```ts
 * const events = new Emitter<{ state: [string] }>();
 * const off = events.on("state", (s) => console.log(s));
 * events.emit("state", "connected");
 * off();
 * ```
 */
export class Emitter<Events extends Record<string, unknown[]>> {
  private readonly listeners = new Map<keyof Events, Set<(...args: any[]) => void>>();

  constructor(private readonly onListenerError: (err: unknown) => void = reportError) {}

  /** Adds a listener; call the returned function to remove it. */
  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Calls every listener of `event` with `args`. */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  /** The number of listeners of `event`. */
  count<K extends keyof Events>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}

// Surfaces a listener's bug the way the platform reports uncaught errors, without breaking the SDK's own flow.
function reportError(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}
