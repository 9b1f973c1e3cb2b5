import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Taken } from "../batcher";
import type { Delivery, Publish } from "../do-contracts";
import type { StubCache } from "../stubs";
import { LEASE_IDLE_MS, LEASE_SEND_MS, PublishLeases } from "./publish-leases";

const FROM = '{"jid":"a-u1-default@d/r1"}';
const pub = (data: string): Publish => ({ fromJson: FROM, data, retain: false });

/** A fake channel object: records appends and releases; `refuse` makes the next append throw. */
function setUp() {
  const appends: { id: string; first: number; data: string[] }[] = [];
  const releases: { id: string; last: number }[] = [];
  const delivered: Delivery[] = [];
  let refuse = false;
  let answer: (() => void) | undefined;
  let hold = false;
  const channelStub = {
    appendLeased(_channel: string, _app: string, id: string, first: number, items: Publish[]) {
      if (refuse) return Promise.reject(new Error("the numbering lease has ended"));
      appends.push({ id, first, data: items.map((p) => p.data) });
      if (!hold) return Promise.resolve(2000);
      return new Promise<number>((resolve) => {
        answer = () => resolve(2000);
      });
    },
    releaseLease(_channel: string, _app: string, id: string, last: number) {
      releases.push({ id, last });
      return Promise.resolve();
    },
  };
  const stubs = { channel: () => channelStub, forget: () => {} } as unknown as StubCache;
  const leases = new PublishLeases({
    app: () => "a",
    stubs,
    deliver: (_channel, d) => delivered.push(d),
    background: () => {},
    maxBatchBytes: 1 << 20,
    maxQueuedBytes: 1 << 22,
  });
  return {
    leases,
    appends,
    releases,
    delivered,
    refuseAppends: () => {
      refuse = true;
    },
    holdAppends: () => {
      hold = true;
    },
    answerAppend: () => answer?.(),
  };
}

const none = (): Taken<Publish, number>[] => [];
const noRequeue = (): Promise<number> => Promise.reject(new Error("not expected"));

describe("PublishLeases", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("numbers and delivers at once after the lease's start, and appends together after LEASE_SEND_MS", async () => {
    const { leases, appends, delivered } = setUp();
    leases.grant("c", { id: "L1", to: 100 }, 7, none, noRequeue);
    const seqs = [leases.take("c", pub("a"), false), leases.take("c", pub("b"), false)];
    expect(delivered.map((d) => [d.seq, d.prev])).toEqual([
      [8, 7],
      [9, 8],
    ]);
    expect(JSON.parse(delivered[0]!.text)).toEqual({ t: "msg", channel: "c", from: JSON.parse(FROM), data: "a", seq: 8 });
    expect(appends).toEqual([]);
    await vi.advanceTimersByTimeAsync(LEASE_SEND_MS);
    expect(appends).toEqual([{ id: "L1", first: 8, data: ["a", "b"] }]);
    expect(await Promise.all(seqs)).toEqual([8, 9]);
  });

  it("appends at once when a publisher waits for an ack", async () => {
    const { leases, appends } = setUp();
    leases.grant("c", { id: "L1", to: 100 }, 0, none, noRequeue);
    const seq = leases.take("c", pub("x"), true);
    await vi.advanceTimersByTimeAsync(0);
    expect(appends).toEqual([{ id: "L1", first: 1, data: ["x"] }]);
    expect(await seq).toBe(1);
  });

  it("numbers the publishes queued behind the call that brought the lease first, in their order", async () => {
    const { leases, delivered } = setUp();
    const results: number[] = [];
    const queued = ["q1", "q2"].map((data) => ({
      item: pub(data),
      bytes: 0,
      resolve: (seq: number) => results.push(seq),
      reject: () => {},
    }));
    leases.grant("c", { id: "L1", to: 100 }, 4, () => queued, noRequeue);
    leases.take("c", pub("after"), false);
    expect(delivered.map((d) => JSON.parse(d.text).data)).toEqual(["q1", "q2", "after"]);
    expect(delivered.map((d) => d.seq)).toEqual([5, 6, 7]);
    await vi.advanceTimersByTimeAsync(LEASE_SEND_MS);
    expect(results).toEqual([5, 6]);
  });

  it("when the channel takes the lease back: numbers nothing more, answers the last seq once everything is appended", async () => {
    const { leases, appends, holdAppends, answerAppend } = setUp();
    leases.grant("c", { id: "L1", to: 100 }, 0, none, noRequeue);
    leases.take("c", pub("a"), false);
    holdAppends();
    let last: number | null | undefined;
    void leases.end("c", "L1").then((n) => {
      last = n;
    });
    expect(leases.take("c", pub("late"), false)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(0);
    expect(appends).toEqual([{ id: "L1", first: 1, data: ["a"] }]);
    expect(last).toBeUndefined(); // its append has not been answered yet
    answerAppend();
    await vi.advanceTimersByTimeAsync(0);
    expect(last).toBe(1);
    expect(leases.size).toBe(0);
  });

  it("answers null for a lease whose grant has not arrived, and never uses that grant", async () => {
    const { leases } = setUp();
    expect(await leases.end("c", "L9")).toBeNull();
    leases.grant("c", { id: "L9", to: 100 }, 0, none, noRequeue);
    expect(leases.take("c", pub("a"), false)).toBeUndefined();
  });

  it("an append the channel refuses fails its messages and ends the lease", async () => {
    const { leases, refuseAppends } = setUp();
    leases.grant("c", { id: "L1", to: 100 }, 0, none, noRequeue);
    refuseAppends();
    const seq = leases.take("c", pub("a"), false);
    const failed = expect(seq).rejects.toThrow(/has ended/);
    await vi.advanceTimersByTimeAsync(LEASE_SEND_MS);
    await failed;
    expect(leases.take("c", pub("b"), false)).toBeUndefined();
    expect(await leases.end("c", "L1")).toBeNull();
  });

  it("gives the lease back when its seqs run out, and holds the next publish batch until the channel has it", async () => {
    const { leases, appends, releases } = setUp();
    leases.grant("c", { id: "L1", to: 2 }, 0, none, noRequeue);
    leases.take("c", pub("a"), false);
    leases.take("c", pub("b"), false);
    expect(leases.take("c", pub("c"), false)).toBeUndefined(); // seqs ran out: published the usual way
    const settled = leases.settled("c");
    expect(settled).toBeDefined();
    await vi.advanceTimersByTimeAsync(0);
    await settled;
    expect(appends).toEqual([{ id: "L1", first: 1, data: ["a", "b"] }]);
    expect(releases).toEqual([{ id: "L1", last: 2 }]);
    expect(leases.size).toBe(0);
  });

  it("gives a lease back after LEASE_IDLE_MS unused", async () => {
    const { leases, releases } = setUp();
    leases.grant("c", { id: "L1", to: 100 }, 3, none, noRequeue);
    await vi.advanceTimersByTimeAsync(LEASE_IDLE_MS / 2);
    leases.take("c", pub("a"), false);
    await vi.advanceTimersByTimeAsync(LEASE_IDLE_MS / 2 + LEASE_SEND_MS);
    expect(releases).toEqual([]); // used half-way: idle for less than LEASE_IDLE_MS
    await vi.advanceTimersByTimeAsync(LEASE_IDLE_MS);
    expect(releases).toEqual([{ id: "L1", last: 4 }]);
    expect(leases.size).toBe(0);
  });
});
