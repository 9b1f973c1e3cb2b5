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
  }

  bind(app: string): void {
    if (this.name === undefined) {
      this.name = app;
      this.store.setAppName(app);
    }
  }
}
