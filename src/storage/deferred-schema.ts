/** The part of SqlStorage the app object's stores use. */
export type SqlExec = Pick<SqlStorage, "exec">;

/** A result with no rows: what reading or deleting from tables that do not exist yet gives. */
function emptyCursor<T extends Record<string, SqlStorageValue>>(): SqlStorageCursor<T> {
  const rows: T[] = [];
  const cursor = {
    next: () => ({ done: true as const }),
    toArray: () => rows,
    one: () => {
      throw new Error("no rows");
    },
    raw: () => [][Symbol.iterator](),
    columnNames: [] as string[],
    rowsRead: 0,
    rowsWritten: 0,
    [Symbol.iterator]: () => rows[Symbol.iterator](),
  };
  return cursor as unknown as SqlStorageCursor<T>;
}

/**
 * SQLite storage whose schema is created only by the first write: until then `CREATE` statements
 * are kept, reads answer no rows and deletes do nothing. An app object that is only ever asked about
 * an app nobody registered (a `find`, `api` or `direct` naming any well-formed name) so writes
 * nothing at all: its storage stays empty, and the runtime has nothing to keep for it. Storage that
 * already holds tables (an object that wrote before) is used as it is.
 *
 * @example
 * ```ts
 * const sql = deferSchema(ctx.storage.sql);
 * sql.exec("CREATE TABLE IF NOT EXISTS t (k TEXT)"); // kept, not run
 * sql.exec("SELECT k FROM t").toArray(); // [] without touching storage
 * sql.exec("INSERT INTO t VALUES ('a')"); // creates t, then inserts
 * ```
 */
export function deferSchema(sql: SqlExec): SqlExec {
  const ddl: string[] = [];
  let created: boolean | undefined;
  // The runtime's own tables do not count: they are not this object's writes. Their names start with
  // `_` (`_cf_...`; miniflare's `__miniflare_do_name`, which it writes when an object is first addressed,
  // so that under load it can already be there when the object's first statement runs); ours never do.
  const exists = (): boolean => {
    created ??=
      sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '!_%' ESCAPE '!' LIMIT 1").toArray().length >
      0;
    return created;
  };
  const create = (): void => {
    for (const statement of ddl.splice(0)) sql.exec(statement);
    created = true;
  };
  return {
    exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> {
      const verb = /^\s*(\w+)/.exec(query)?.[1]?.toUpperCase();
      if (verb === "CREATE" && !created) {
        ddl.push(query);
        if (exists()) create();
        return emptyCursor<T>();
      }
      if (!created && (verb === "SELECT" || verb === "DELETE")) {
        if (!exists()) return emptyCursor<T>();
        create();
      }
      if (!created) create();
      return sql.exec<T>(query, ...bindings);
    },
  };
}
