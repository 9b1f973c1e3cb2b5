import { describe, expect, it } from "vitest";
import { DeadlineQueue, DeadlineTimer, type TimerApi } from "./deadlines";

/** A clock and timers that move only when told. */
function fakeTimers() {
  let now = 0;
  let nextId = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const api: TimerApi = {
    now: () => now,
    setTimeout: (fn, ms) => {
      pending.set(++nextId, { at: now + ms, fn });
      return nextId;
    },
    clearTimeout: (h) => pending.delete(h as number),
  };
  const advance = (to: number) => {
    for (;;) {
      const first = [...pending.entries()].filter(([, t]) => t.at <= to).sort((a, b) => a[1].at - b[1].at)[0];
      if (!first) break;
      pending.delete(first[0]);
      now = first[1].at;
      first[1].fn();
    }
    now = to;
  };
  return { api, advance, active: () => pending.size };
}

describe("DeadlineQueue", () => {
  it("hands out due keys nearest first and keeps the rest", () => {
    const q = new DeadlineQueue<string>();
    for (const [k, at] of [
      ["c", 30],
      ["a", 10],
      ["d", 40],
      ["b", 20],
    ] as const)
      q.set(k, at);
    expect(q.next()).toBe(10);
    expect(q.due(25)).toEqual(["a", "b"]);
    expect(q.size).toBe(2);
    expect(q.next()).toBe(30);
  });

  it("moves and removes keys anywhere in the heap", () => {
    const q = new DeadlineQueue<number>();
    for (let i = 0; i < 100; i++) q.set(i, 1000 - i);
    q.set(50, 1); // earlier
    q.set(98, 5000); // later
    for (let i = 0; i < 100; i += 3) q.delete(i);
    expect(q.delete(0)).toBe(false);
    const order = q.due(10_000);
    expect(order[0]).toBe(50);
    expect(order.at(-1)).toBe(98);
    expect(order.length).toBe(100 - 34);
    const ats = order.slice(1, -1).map((k) => 1000 - k);
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
    expect(q.size).toBe(0);
  });

  it("holds nothing for removed keys (no lazy tombstones)", () => {
    const q = new DeadlineQueue<number>();
    for (let i = 0; i < 50_000; i++) {
      q.set(i, i + 30_000);
      q.delete(i);
    }
    expect(q.size).toBe(0);
    expect(q.next()).toBeUndefined();
  });
});

describe("DeadlineTimer", () => {
  it("holds one timer for 20,000 deadlines and fires each once, in order", () => {
    const t = fakeTimers();
    const fired: number[] = [];
    const timer = new DeadlineTimer<number>((k) => fired.push(k), t.api);
    for (let i = 0; i < 20_000; i++) timer.set(i, 30_000 + (i % 7));
    expect(t.active()).toBe(1);
    expect(timer.timersActive).toBe(1);
    t.advance(29_999);
    expect(fired).toEqual([]);
    t.advance(30_010);
    expect(fired.length).toBe(20_000);
    expect(new Set(fired).size).toBe(20_000);
    expect(t.active()).toBe(0);
  });

  it("re-arms for an earlier deadline and never fires a removed key", () => {
    const t = fakeTimers();
    const fired: string[] = [];
    const timer = new DeadlineTimer<string>((k) => fired.push(k), t.api);
    timer.set("late", 1000);
    timer.set("early", 100);
    timer.set("gone", 50);
    timer.delete("gone");
    expect(t.active()).toBe(1);
    t.advance(100);
    expect(fired).toEqual(["early"]);
    t.advance(2000);
    expect(fired).toEqual(["early", "late"]);
  });

  it("drops its timer when the last key is removed", () => {
    const t = fakeTimers();
    const timer = new DeadlineTimer<string>(() => {}, t.api);
    timer.set("a", 100);
    timer.delete("a");
    expect(t.active()).toBe(0);
    expect(timer.timersActive).toBe(0);
  });

  it("lets an expiry add a new deadline", () => {
    const t = fakeTimers();
    const fired: string[] = [];
    const timer = new DeadlineTimer<string>((k) => {
      fired.push(k);
      if (k === "a") timer.set("b", t.api.now() + 10);
    }, t.api);
    timer.set("a", 5);
    t.advance(100);
    expect(fired).toEqual(["a", "b"]);
    expect(t.active()).toBe(0);
  });
});
