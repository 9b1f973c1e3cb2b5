import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PendingCalls } from "./pending-calls";

const from = { jid: "j", app: "a", uid: "u", role: "owner" as const, resource: "default1", kind: "default" };

describe("PendingCalls", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("settles once with the worker's answer; later answers are dropped", async () => {
    const calls = new PendingCalls();
    let rid = "";
    const outcome = calls.open({ callKey: "k1", worker: "w1", timeoutMs: 1000 }, (r) => (rid = r));
    expect(calls.answer(rid, "w1", { ok: true, data: 1, from })).toBe(true);
    expect(calls.answer(rid, "w1", { ok: true, data: 2, from })).toBe(false);
    await expect(outcome).resolves.toEqual({ ok: true, data: 1, from });
    expect(calls.size).toBe(0);
  });

  it("drops answers from another worker (a foreign rid)", () => {
    const calls = new PendingCalls();
    let rid = "";
    void calls.open({ callKey: "k1", worker: "w1", timeoutMs: 1000 }, (r) => (rid = r));
    expect(calls.answer(rid, "w2", { ok: true, data: 1, from })).toBe(false);
    expect(calls.size).toBe(1);
  });

  it("times out after timeoutMs", async () => {
    const calls = new PendingCalls();
    const outcome = calls.open({ callKey: "k1", worker: "w1", timeoutMs: 500 }, () => {});
    vi.advanceTimersByTime(499);
    expect(calls.size).toBe(1);
    vi.advanceTimersByTime(1);
    await expect(outcome).resolves.toMatchObject({ ok: false, error: { code: "timeout" } });
  });

  it("fails a departed worker's calls with worker_gone, and only its own", async () => {
    const calls = new PendingCalls();
    const a = calls.open({ callKey: "k1", worker: "w1", timeoutMs: 30_000 }, () => {});
    void calls.open({ callKey: "k2", worker: "w2", timeoutMs: 30_000 }, () => {});
    expect(calls.workerGone("w1")).toBe(1);
    await expect(a).resolves.toMatchObject({ ok: false, error: { code: "worker_gone" } });
    expect(calls.size).toBe(1);
  });

  it("never hands out a rid twice, across instances too", () => {
    const rids = new Set<string>();
    for (let instance = 0; instance < 50; instance++) {
      const calls = new PendingCalls();
      for (let i = 0; i < 20; i++) void calls.open({ callKey: `k${i}`, worker: "w1", timeoutMs: 1000 }, (r) => rids.add(r));
    }
    expect(rids.size).toBe(1000);
  });

  it("cancels by call key, so a late answer is dropped", () => {
    const calls = new PendingCalls();
    let rid = "";
    void calls.open({ callKey: "k1", worker: "w1", timeoutMs: 30_000 }, (r) => (rid = r));
    calls.cancel(["k1"]);
    expect(calls.answer(rid, "w1", { ok: true, data: 1, from })).toBe(false);
    expect(calls.size).toBe(0);
  });
});

describe("PendingCalls bounds", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("holds one timer for 12,000 waiting calls and times each out once", async () => {
    const calls = new PendingCalls();
    const outcomes = Array.from({ length: 12_000 }, (_, i) =>
      calls.open({ callKey: `k${i}`, worker: "w1", caller: "u1", timeoutMs: 1000 + (i % 10) }, () => {}),
    );
    expect(calls.timersActive).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1010);
    const settled = await Promise.all(outcomes);
    expect(settled.every((o) => !o.ok && o.error.code === "timeout")).toBe(true);
    expect(calls.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("refuses a user past maxPendingCallsPerUser and the app past maxPendingCallsPerApp", () => {
    const calls = new PendingCalls({ maxPendingCallsPerUser: 2, maxPendingCallsPerApp: 3 });
    const open = (k: string, caller: string) => void calls.open({ callKey: k, worker: "w1", caller, timeoutMs: 1000 }, () => {});
    open("a", "u1");
    open("b", "u1");
    expect(calls.refusal("u1")).toMatchObject({ code: "quota_exceeded", quota: "maxPendingCallsPerUser" });
    expect(calls.refusal("u2")).toBeUndefined();
    open("c", "u2");
    expect(calls.refusal("u3")).toMatchObject({ code: "quota_exceeded", quota: "maxPendingCallsPerApp" });
    calls.cancel(["a"]);
    expect(calls.refusal("u1")).toBeUndefined();
  });
});
