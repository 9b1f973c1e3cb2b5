import { describe, expect, it } from "vitest";
import { deferSchema, type SqlExec } from "./deferred-schema";

/** A fake storage that records what it was asked and knows which tables exist. */
function fakeSql(tables: string[] = []) {
  const ran: string[] = [];
  const sql: SqlExec = {
    exec(query: string) {
      ran.push(query);
      if (/^CREATE TABLE IF NOT EXISTS (\w+)/.test(query)) tables.push(RegExp.$1);
      const rows = /sqlite_master/.test(query) ? tables.map(() => ({ one: 1 })) : [{ value: "x" }];
      return { toArray: () => rows, rowsWritten: 0, [Symbol.iterator]: () => rows[Symbol.iterator]() } as never;
    },
  };
  return { sql, ran, tables };
}

describe("deferSchema", () => {
  it("writes nothing while only reads and deletes come", () => {
    const f = fakeSql();
    const sql = deferSchema(f.sql);
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT)");
    expect(sql.exec("SELECT value FROM meta").toArray()).toEqual([]);
    expect(sql.exec("DELETE FROM meta WHERE key = ?", "k").rowsWritten).toBe(0);
    expect(f.ran.filter((q) => !q.includes("sqlite_master"))).toEqual([]);
  });

  it("creates the schema on the first write, then runs everything", () => {
    const f = fakeSql();
    const sql = deferSchema(f.sql);
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT)");
    sql.exec("INSERT INTO meta VALUES (?)", "k");
    expect(f.ran.filter((q) => !q.includes("sqlite_master"))).toEqual([
      "CREATE TABLE IF NOT EXISTS meta (key TEXT)",
      "INSERT INTO meta VALUES (?)",
    ]);
    expect(sql.exec("SELECT value FROM meta").toArray()).toEqual([{ value: "x" }]);
    sql.exec("CREATE TABLE IF NOT EXISTS later (k TEXT)");
    expect(f.ran.at(-1)).toBe("CREATE TABLE IF NOT EXISTS later (k TEXT)");
  });

  it("uses storage that already has tables as it is", () => {
    const f = fakeSql(["meta"]);
    const sql = deferSchema(f.sql);
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT)");
    expect(sql.exec("SELECT value FROM meta").toArray()).toEqual([{ value: "x" }]);
  });
});
