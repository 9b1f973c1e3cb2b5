/**
 * Which app names the deployment knows, asked before a frame reaches another app's object, so that
 * `api`, `direct` and `find` naming an app nobody registered are answered `not_found` without
 * starting an object for it (each started object costs the runtime memory and a SQLite database,
 * even when it writes nothing). The directory lists every registered app (and every app a block
 * connected to): a name it does not list cannot be registered, and its object would only answer
 * `not_found`. A name it lists goes on to its object, which applies the registry itself.
 *
 * Known names are cached (apps are never removed from the directory), at most `max` of them, the
 * least recently used dropped first; unknown names are not cached, so an app registered a moment
 * ago is reachable at once. Lookups of one name in flight together are made once.
 *
 * @example
 * ```ts
 * const known = new KnownApps((app) => stubs.directory().has(app));
 * if (!(await known.has("other"))) refuseNotFound();
 * ```
 */
export class KnownApps {
  private readonly known = new Map<string, true>();
  private readonly asking = new Map<string, Promise<boolean>>();

  constructor(
    private readonly lookup: (app: string) => Promise<boolean>,
    private readonly max = 1024,
  ) {}

  /** Whether the directory lists `app`: at once (no await needed) when it is cached. */
  has(app: string): boolean | Promise<boolean> {
    if (this.known.has(app)) {
      this.known.delete(app);
      this.known.set(app, true);
      return true;
    }
    let pending = this.asking.get(app);
    if (!pending) {
      pending = this.lookup(app).then(
        (listed) => {
          this.asking.delete(app);
          if (listed) this.remember(app);
          return listed;
        },
        (err: unknown) => {
          this.asking.delete(app);
          throw err;
        },
      );
      this.asking.set(app, pending);
    }
    return pending;
  }

  /** Names cached and lookups in flight (for the stats route). */
  get sizes(): { cached: number; asking: number } {
    return { cached: this.known.size, asking: this.asking.size };
  }

  private remember(app: string): void {
    this.known.set(app, true);
    if (this.known.size > this.max) this.known.delete(this.known.keys().next().value as string);
  }
}
