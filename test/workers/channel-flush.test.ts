import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RESERVE } from "../../src/channel/channel-flush";
import { ChannelObject } from "../../src/channel/channel-object";
import { PUBLISHER as FROM } from "./helpers";

// A channel's flush inside real workerd: a publish is numbered and handed out before anything is
// stored, its acknowledgement (`durable`) waits for the flush that stores it, and a restart that
// comes before a flush (a crash) goes on after the stored ceiling: no seq is ever handed out twice.

const data = (frames: string[] | undefined) => frames?.map((f) => (JSON.parse(f) as { data: string }).data);
const pub = (data: string) => ({ fromJson: FROM, data, retain: false });

function stored(state: DurableObjectState): { seq: number; ceiling: number; rows: number } {
  const meta = new Map(
    state.storage.sql
      .exec<{ key: string; value: string }>("SELECT key, value FROM channel_meta")
      .toArray()
      .map((r) => [r.key, Number(r.value)]),
  );
  const rows = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM history").one().n;
  return { seq: meta.get("seq") ?? 0, ceiling: meta.get("ceiling") ?? 0, rows };
}

describe("a channel's flush", () => {
  it("answers a publish before storing it; durable() resolves once the flush stored it", async () => {
    const stub = env.CHANNEL.getByName("f-order");
    await stub.publish("f-order", FROM, "first", false); // stored: the channel's ceiling is durable
    const result = await runInDurableObject(stub, async (live: ChannelObject, state) => {
      const { seqs } = await live.publishBatch("f-order", [pub("a"), pub("b")]);
      const before = stored(state);
      await live.durable("f-order", seqs[1]!);
      return { seqs, before, after: stored(state) };
    });
    expect(result.seqs).toEqual([2, 3]);
    expect(result.before).toMatchObject({ seq: 1, rows: 1 });
    expect(result.after).toMatchObject({ seq: 3, rows: 3 });
    // While busy, the stored ceiling is ahead of every seq handed out.
    expect(result.after.ceiling).toBe(3 + RESERVE);
  });

  it("lowers the ceiling to the seq once quiet, so that a clean restart goes on with no skip", async () => {
    const stub = env.CHANNEL.getByName("f-quiet");
    await stub.publish("f-quiet", FROM, "m1", false);
    const result = await runInDurableObject(stub, async (live: ChannelObject, state) => {
      await live.settle("f-quiet");
      const settled = stored(state);
      const fresh = new ChannelObject(state, env);
      return { settled, seq: await fresh.publish("f-quiet", FROM, "m2", false) };
    });
    expect(result.settled).toEqual({ seq: 1, ceiling: 1, rows: 1 });
    expect(result.seq).toBe(2);
  });

  it("after a restart before the flush (a crash): goes on past the ceiling under the same epoch, and recovery still holds every stored message", async () => {
    const stub = env.CHANNEL.getByName("f-crash");
    const { epoch } = await stub.join("f-crash", "app1");
    for (let i = 1; i <= 3; i++) await stub.publish("f-crash", FROM, `m${i}`, false); // acknowledged: stored
    const result = await runInDurableObject(stub, async (live: ChannelObject, state) => {
      // Handed out (a subscriber may have m4 and m5), never stored: the object dies before its flush.
      const lost = (await live.publishBatch("f-crash", [pub("m4"), pub("m5")])).seqs;
      const { ceiling } = stored(state);
      // Read in the same turn as the crash: the live instance (sharing this storage) must not flush first.
      const woken = new ChannelObject(state, env);
      const atWake = await woken.stats("f-crash");
      const sawM5 = await woken.join("f-crash", "app1", undefined, { since: 5, epoch });
      const sawM2 = await woken.join("f-crash", "app1", undefined, { since: 2, epoch });
      const inSkip = await woken.join("f-crash", "app1", undefined, { since: ceiling - 1, epoch });
      // An ack the lost messages' publisher still waits for is refused; a stored one is acknowledged.
      const ackLost = (() => {
        try {
          woken.durable("f-crash", 5);
          return "acknowledged";
        } catch (err) {
          return (err as Error).message;
        }
      })();
      const ackStored = woken.durable("f-crash", 3);
      // Several acks at once (`lowest` to `seq`): refused when any of them is in the skip.
      const rangeStored = woken.durable("f-crash", 3, 1);
      const rangeLost = (() => {
        try {
          woken.durable("f-crash", 5, 2);
          return "acknowledged";
        } catch (err) {
          return (err as Error).message;
        }
      })();
      const next = (await woken.publishBatch("f-crash", [pub("m6")])).seqs;
      return { lost, ceiling, atWake, sawM5, sawM2, inSkip, ackLost, ackStored, rangeStored, rangeLost, next };
    });
    expect(result.lost).toEqual([4, 5]);
    expect(result.ceiling).toBeGreaterThanOrEqual(5);
    // Same epoch, seq past every seq handed out before the crash: m4 and m5's numbers are never reused.
    expect(result.atWake).toMatchObject({ seq: result.ceiling, epoch });
    expect(result.next).toEqual([result.ceiling + 1]);
    expect(result.ackLost).toMatch(/message 5 of "f-crash" was lost in a restart before it was stored/);
    expect(result.ackStored).toBeUndefined();
    expect(result.rangeStored).toBeUndefined();
    expect(result.rangeLost).toMatch(/message 4 of "f-crash" was lost in a restart before it was stored/);
    // A subscriber that had m5 (or stood in the skip) missed nothing that was kept; one at m2 gets m3.
    expect(result.sawM5).toMatchObject({ recovered: true, missed: [] });
    expect(result.inSkip).toMatchObject({ recovered: true, missed: [] });
    expect(result.sawM2).toMatchObject({ recovered: true });
    expect(data(result.sawM2.missed)).toEqual(["m3"]);
  });

  it("makes a first publish after a quiet period wait for a durable ceiling, then numbers in the order the publishes came", async () => {
    const stub = env.CHANNEL.getByName("f-first");
    const result = await runInDurableObject(stub, async (live: ChannelObject, state) => {
      const first = live.publishBatch("f-first", [pub("a")]);
      const second = live.publishBatch("f-first", [pub("b"), pub("c")]);
      const waited = first instanceof Promise && second instanceof Promise;
      return { waited, first: (await first).seqs, second: (await second).seqs, ceiling: stored(state).ceiling };
    });
    expect(result.waited).toBe(true);
    expect(result.first).toEqual([1]);
    expect(result.second).toEqual([2, 3]);
    expect(result.ceiling).toBeGreaterThanOrEqual(3);
  });
});
