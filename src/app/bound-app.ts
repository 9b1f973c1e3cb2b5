import type { SessionStore } from "./session-store";

/**
 * The name of the app an app object serves. An object learns it from its first request (objects
 * are addressed by name, but do not know it), stores it, and reads it back after a restart.
 *
 * @example
 * ```ts
 * const bound = new BoundApp(store);
 * bound.bind("etest");
 * bound.name; // "etest"
 * ```
 */
export class BoundApp {
  name: string | undefined;

  constructor(private readonly store: SessionStore) {
    this.name = store.appName();
    this.stored = this.name !== undefined;
  }

  /**
   * Learns the name from a request, in memory only: a request naming an app nobody registered must
   * not write storage (see deferred-schema.ts), so the name is stored by `keep`.
   */
  bind(app: string): void {
    this.name ??= app;
  }

  /** Binds and stores the name, so that a restarted object knows it: for a connect, or a registration. */
  keep(app: string): void {
    this.bind(app);
    if (!this.stored) {
      this.store.setAppName(this.name ?? app);
      this.stored = true;
    }
  }

  private stored: boolean;
}
