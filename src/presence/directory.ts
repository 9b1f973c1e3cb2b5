import { DurableObject } from "cloudflare:workers";
import type { DirectoryRpc } from "../do-contracts";

/** The one list of every app known to this deployment (registered or seen online), for the admin routes. */
export class Directory extends DurableObject<Env> implements DirectoryRpc {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS apps (app TEXT PRIMARY KEY)");
  }

  touch(app: string): void {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO apps (app) VALUES (?)", app);
  }

  /** Whether the app is listed: registered, or a block of it connected. */
  has(app: string): boolean {
    return this.ctx.storage.sql.exec("SELECT 1 FROM apps WHERE app = ?", app).toArray().length > 0;
  }

  list(): string[] {
    return this.ctx.storage.sql
      .exec<{ app: string }>("SELECT app FROM apps ORDER BY app")
      .toArray()
      .map((r) => r.app);
  }
}
