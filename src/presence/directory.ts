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

  list(): string[] {
    return this.ctx.storage.sql
      .exec<{ app: string }>("SELECT app FROM apps ORDER BY app")
      .toArray()
      .map((r) => r.app);
  }
}
