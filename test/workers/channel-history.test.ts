import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ChannelObject } from "../../src/channel/channel-object";
import { PUBLISHER as FROM } from "./helpers";

// Channel history and recovery inside real workerd: what a join with `since`/`epoch` answers, the
// bounds (count, bytes, age), the interplay with freeing an idle channel, and history kept in
// storage: a fresh object over the same storage (as after an eviction or a restart) recovers too.

const data = (frames: string[] | undefined) => frames?.map((f) => (JSON.parse(f) as { data: string; seq: number }).data);

/**
 * Runs `fn` on a fresh ChannelObject over the storage of `name`, with extra vars (as a woken object
 * with that config). The live object settles first, as a channel does before it is evicted.
 */
function fresh<T>(
  name: string,
  vars: Record<string, string>,
  fn: (o: ChannelObject, state: DurableObjectState) => T | Promise<T>,
) {
  return runInDurableObject(env.CHANNEL.getByName(name), async (live: ChannelObject, state) => {
    await live.settle(name);
    return fn(new ChannelObject(state, { ...env, ...vars } as Env), state);
  });
}

describe("channel history", () => {
  it("answers a join with seq and epoch; with since, the missed messages in order, as the live frames", async () => {
    const stub = env.CHANNEL.getByName("h-basic");
    const first = await stub.join("h-basic", "app1");
    expect(first).toEqual({ seq: 0, epoch: expect.any(String), retained: null });
    for (let i = 1; i <= 5; i++) await stub.publish("h-basic", FROM, `m${i}`, i === 2);
    const joined = await stub.join("h-basic", "app2", undefined, { since: 2, epoch: first.epoch });
    expect(joined).toMatchObject({ seq: 5, epoch: first.epoch, retained: null, recovered: true });
    expect(data(joined.missed)).toEqual(["m3", "m4", "m5"]);
    expect(JSON.parse(joined.missed![0]!)).toEqual({ t: "msg", channel: "h-basic", from: JSON.parse(FROM), data: "m3", seq: 3 });
    // since = seq: nothing missed; since 0: the whole run while history holds it; no epoch: the current one.
    expect(await stub.join("h-basic", "app2", undefined, { since: 5, epoch: first.epoch })).toMatchObject({
      recovered: true,
      missed: [],
    });
    expect(data((await stub.join("h-basic", "app2", undefined, { since: 0 })).missed)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
  });

  it("answers recovered:false, with the retained frame, for another epoch or a since past the channel's seq", async () => {
    const stub = env.CHANNEL.getByName("h-epoch");
    await stub.publish("h-epoch", FROM, "kept", true);
    await stub.publish("h-epoch", FROM, "after", false);
    const other = await stub.join("h-epoch", "app1", undefined, { since: 1, epoch: "another" });
    expect(other).toMatchObject({ seq: 2, recovered: false });
    expect(other.missed).toBeUndefined();
    expect(JSON.parse(other.retained!)).toMatchObject({ data: "kept", seq: 1, retained: true });
    const { epoch } = await stub.position("h-epoch");
    expect(await stub.join("h-epoch", "app1", undefined, { since: 7, epoch })).toMatchObject({ seq: 2, recovered: false });
  });

  it("keeps at most historySize messages", async () => {
    const result = await fresh("h-size", { NEXUS_HISTORY_SIZE: "3" }, async (o) => {
      for (let i = 1; i <= 5; i++) await o.publish("h-size", FROM, `m${i}`, false);
      return {
        kept: (await o.stats("h-size")).history,
        from2: await o.join("h-size", "app1", undefined, { since: 2 }),
        from1: await o.join("h-size", "app1", undefined, { since: 1 }),
      };
    });
    expect(result.kept).toBe(3);
    expect(data(result.from2.missed)).toEqual(["m3", "m4", "m5"]);
    expect(result.from1.recovered).toBe(false);
  });

  it("storage holds boundedly more rows than history keeps, and a fresh object keeps exactly the same", async () => {
    const result = await fresh("h-rows", { NEXUS_HISTORY_SIZE: "10" }, async (o, state) => {
      for (let i = 1; i <= 100; i++) await o.publish("h-rows", FROM, `m${i}`, false);
      const rows = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM history").one().n;
      await o.settle("h-rows"); // then evicted
      const woken = new ChannelObject(state, { ...env, NEXUS_HISTORY_SIZE: "10" } as Env);
      return {
        rows,
        kept: (await woken.stats("h-rows")).history,
        from90: await woken.join("h-rows", "app1", undefined, { since: 90 }),
        from89: await woken.join("h-rows", "app1", undefined, { since: 89 }),
      };
    });
    expect(result.rows).toBeGreaterThanOrEqual(10);
    expect(result.rows).toBeLessThan(10 + 64);
    expect(result.kept).toBe(10);
    expect(data(result.from90.missed)).toEqual(Array.from({ length: 10 }, (_, i) => `m${91 + i}`));
    expect(result.from89.recovered).toBe(false);
  });

  it("keeps at most historyBytes of frames: a burst of large messages pushes the oldest out", async () => {
    const big = "x".repeat(1500);
    const result = await fresh("h-bytes", { NEXUS_HISTORY_BYTES: "4000" }, async (o) => {
      for (let i = 1; i <= 4; i++) await o.publish("h-bytes", FROM, `${i}${big}`, false);
      const kept = (await o.stats("h-bytes")).history;
      const from2 = await o.join("h-bytes", "app1", undefined, { since: 2 });
      const from1 = await o.join("h-bytes", "app1", undefined, { since: 1 });
      // A message larger than the whole bound is not kept, and with it nothing before it recovers.
      await o.publish("h-bytes", FROM, "y".repeat(4000), false);
      return {
        kept,
        from2,
        from1,
        after: (await o.stats("h-bytes")).history,
        from4: await o.join("h-bytes", "app1", undefined, { since: 4 }),
      };
    });
    expect(result.kept).toBe(2);
    expect(result.from2).toMatchObject({ recovered: true, missed: [expect.any(String), expect.any(String)] });
    expect(result.from1.recovered).toBe(false);
    expect(result.after).toBe(0);
    expect(result.from4.recovered).toBe(false);
  });

  it("keeps nothing older than historyTtlMs", async () => {
    const result = await fresh("h-ttl", { NEXUS_HISTORY_TTL_MS: "1" }, async (o) => {
      await o.publish("h-ttl", FROM, "old", false);
      await new Promise((resolve) => setTimeout(resolve, 5)); // the TTL passes
      return { join: await o.join("h-ttl", "app1", undefined, { since: 0 }), kept: (await o.stats("h-ttl")).history };
    });
    expect(result.join).toMatchObject({ seq: 1, recovered: false });
    expect(result.kept).toBe(0);
  });

  it("survives a fresh object over the same storage (an eviction or a restart)", async () => {
    const stub = env.CHANNEL.getByName("h-restart");
    const { epoch } = await stub.join("h-restart", "app1");
    for (let i = 1; i <= 3; i++) await stub.publish("h-restart", FROM, `m${i}`, false);
    const woken = await fresh("h-restart", {}, async (o) => {
      const joined = await o.join("h-restart", "app1", undefined, { since: 1, epoch });
      await o.publish("h-restart", FROM, "m4", false);
      return { joined, next: await o.join("h-restart", "app1", undefined, { since: 3, epoch }) };
    });
    expect(woken.joined).toMatchObject({ seq: 3, epoch, recovered: true });
    expect(data(woken.joined.missed)).toEqual(["m2", "m3"]);
    expect(data(woken.next.missed)).toEqual(["m4"]);
  });
});

describe("history and an idle channel", () => {
  it("keeps a channel whose history has not expired, so a returning subscriber recovers", async () => {
    const stub = env.CHANNEL.getByName("h-idle-kept");
    const { epoch } = await stub.join("h-idle-kept", "app1");
    await stub.publish("h-idle-kept", FROM, "m1", false);
    const result = await fresh("h-idle-kept", { NEXUS_CHANNEL_IDLE_MS: "1" }, async (o, state) => {
      await o.leave("h-idle-kept", "app1");
      await new Promise((resolve) => setTimeout(resolve, 5)); // the idle period passes, the TTL does not
      await o.alarm();
      return {
        alarm: await state.storage.getAlarm(),
        joined: await o.join("h-idle-kept", "app1", undefined, { since: 0, epoch }),
      };
    });
    expect(result.alarm).not.toBeNull(); // looked at again once the history expires
    expect(result.joined).toMatchObject({ seq: 1, epoch, recovered: true });
  });

  it("frees a channel once its history has expired: the epoch changes and recovery says recovered:false", async () => {
    const stub = env.CHANNEL.getByName("h-idle-freed");
    const { epoch } = await stub.join("h-idle-freed", "app1");
    await stub.publish("h-idle-freed", FROM, "m1", false);
    const result = await fresh("h-idle-freed", { NEXUS_CHANNEL_IDLE_MS: "1", NEXUS_HISTORY_TTL_MS: "1" }, async (o) => {
      await o.leave("h-idle-freed", "app1");
      await new Promise((resolve) => setTimeout(resolve, 5)); // the idle period and the TTL pass
      await o.alarm();
      return await o.join("h-idle-freed", "app1", undefined, { since: 1, epoch });
    });
    expect(result.seq).toBe(0);
    expect(result.epoch).not.toBe(epoch);
    expect(result.recovered).toBe(false);
  });
});
