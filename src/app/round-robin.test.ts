import { describe, expect, it } from "vitest";
import { type RotationStore, RoundRobin } from "./round-robin";

class MemoryStore implements RotationStore {
  rows = new Map<string, { uid: string; pool: string; last: string }>();
  loadAll() {
    return [...this.rows.values()];
  }
  save(uid: string, pool: string, last: string) {
    this.rows.set(`${uid}/${pool}`, { uid, pool, last });
  }
  forgetUid(uid: string) {
    for (const [k, r] of this.rows) if (r.uid === uid) this.rows.delete(k);
  }
  forget(uid: string, pool: string) {
    this.rows.delete(`${uid}/${pool}`);
  }
}

const worker = (conn: string, methods: string[] = ["sum"]) => ({ conn, methods: new Set(methods) });

describe("RoundRobin", () => {
  it("gives each of N candidates M/N ± 1 of M picks, per pool", () => {
    const rr = new RoundRobin(new MemoryStore());
    const counts = new Map<string, number>();
    const workers = [worker("c"), worker("a"), worker("b")].map((w) => ({ ...w, methods: new Set(["sum", "other"]) }));
    for (let i = 0; i < 100; i++) {
      const w = rr.pick("u1", "sum", workers)!;
      counts.set(w.conn, (counts.get(w.conn) ?? 0) + 1);
      rr.pick("u1", "other", workers);
    }
    for (const w of workers) expect(Math.abs((counts.get(w.conn) ?? 0) - 100 / 3)).toBeLessThanOrEqual(1);
  });

  it("continues the rotation in a new instance over the same store, whatever the candidates' order", () => {
    const store = new MemoryStore();
    const workers = [worker("a"), worker("b"), worker("c")];
    expect(new RoundRobin(store).pick("u1", "sum", workers)?.conn).toBe("a");
    expect(new RoundRobin(store).pick("u1", "sum", [...workers].reverse())?.conn).toBe("b");
    expect(new RoundRobin(store).pick("u1", "sum", workers)?.conn).toBe("c");
    expect(new RoundRobin(store).pick("u1", "sum", workers)?.conn).toBe("a");
  });

  it("moves on to the next worker when the last one picked has left", () => {
    const rr = new RoundRobin(new MemoryStore());
    rr.pick("u1", "sum", [worker("a"), worker("b"), worker("c")]);
    rr.pick("u1", "sum", [worker("a"), worker("b"), worker("c")]); // b
    expect(rr.pick("u1", "sum", [worker("a"), worker("c")])?.conn).toBe("c");
  });

  it("keeps one pool for methods served only by * workers", () => {
    const store = new MemoryStore();
    const rr = new RoundRobin(store);
    const star = [worker("a", ["*"]), worker("b", ["*"])];
    for (let i = 0; i < 50; i++) rr.pick("u1", `random-${i}`, star);
    expect([...store.rows.values()].map((r) => r.pool)).toEqual(["*"]);
    rr.forgetUid("u1");
    expect(store.rows.size).toBe(0);
  });

  it("keeps at most maxPools rotations, in memory and in storage", () => {
    const store = new MemoryStore();
    const rr = new RoundRobin(store, 100);
    for (let i = 0; i < 1000; i++) rr.pick("u1", `named-${i}`, [worker("a", [`named-${i}`])]);
    expect(rr.size).toBe(100);
    expect(store.rows.size).toBe(100);
  });

  it("answers undefined with no candidates", () => {
    expect(new RoundRobin(new MemoryStore()).pick("u1", "x", [])).toBeUndefined();
  });
});
