/** An app's registry entry: its owner and the uids that hold a grant ("get" or "purchase"). */
export interface RegistryEntry {
  app: string;
  owner: string | undefined;
  grants: { uid: string; kind: GrantKind }[];
}

export type GrantKind = "get" | "purchase";

/**
 * The registry of one app, in its app object's SQLite storage.
 *
 * @example
 * ```ts
 * const registry = new Registry(ctx.storage.sql);
 * registry.setOwner("682e...");
 * registry.mayCall({ app: "other", uid: "u9" }, "etest");
 * ```
 */
export class Registry {
  private ownerCache: string | null | undefined;
  /** The grants, read once per object instance: every cross-app call and Direct checks them. */
  private grantCache: Map<string, GrantKind> | undefined;

  constructor(private readonly sql: Pick<SqlStorage, "exec">) {
    sql.exec("CREATE TABLE IF NOT EXISTS registry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS grants (uid TEXT PRIMARY KEY, kind TEXT NOT NULL)");
  }

  owner(): string | undefined {
    if (this.ownerCache === undefined) {
      const row = this.sql.exec<{ value: string }>("SELECT value FROM registry_meta WHERE key = 'owner'").toArray()[0];
      this.ownerCache = row ? row.value : null;
    }
    return this.ownerCache ?? undefined;
  }

  setOwner(uid: string): void {
    this.sql.exec(
      "INSERT INTO registry_meta (key, value) VALUES ('owner', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      uid,
    );
    this.ownerCache = uid;
  }

  grant(uid: string, kind: GrantKind): void {
    this.sql.exec("INSERT INTO grants (uid, kind) VALUES (?, ?) ON CONFLICT(uid) DO UPDATE SET kind = excluded.kind", uid, kind);
    this.granted().set(uid, kind);
  }

  /** Returns true when a grant was removed. */
  revoke(uid: string): boolean {
    this.granted().delete(uid);
    return this.sql.exec("DELETE FROM grants WHERE uid = ?", uid).rowsWritten > 0;
  }

  hasGrant(uid: string): boolean {
    return this.granted().has(uid);
  }

  grants(): { uid: string; kind: GrantKind }[] {
    return this.sql.exec<{ uid: string; kind: GrantKind }>("SELECT uid, kind FROM grants ORDER BY uid").toArray();
  }

  private granted(): Map<string, GrantKind> {
    this.grantCache ??= new Map(this.grants().map((g) => [g.uid, g.kind]));
    return this.grantCache;
  }

  /** The contract's permission rule for the owner's workers of this app. */
  mayCall(caller: { app: string; uid: string }, app: string): boolean {
    return caller.app === app || caller.uid === this.owner() || this.hasGrant(caller.uid);
  }
}
