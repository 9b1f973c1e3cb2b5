import { DurableObject } from "cloudflare:workers";
import type { UserPresenceRpc } from "../do-contracts";

/**
 * One per uid: the apps in which that uid has blocks online, so that Find without `app` can ask
 * exactly those app objects. App objects tell it when a uid's first block arrives and its last
 * leaves; a stale entry costs one empty answer, never a wrong one, since the app objects answer.
 */
export class UserPresence extends DurableObject<Env> implements UserPresenceRpc {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS apps (app TEXT PRIMARY KEY)");
  }

  add(app: string): void {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO apps (app) VALUES (?)", app);
  }

  remove(app: string): void {
    this.ctx.storage.sql.exec("DELETE FROM apps WHERE app = ?", app);
  }

  apps(): string[] {
    return this.ctx.storage.sql
      .exec<{ app: string }>("SELECT app FROM apps ORDER BY app")
      .toArray()
      .map((r) => r.app);
  }
}
