import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ChannelObject } from "../../src/channel/channel-object";
import { PUBLISHER as FROM } from "./helpers";

describe("channel object", () => {
  it("numbers messages, keeps the retained value and both survive a restart", async () => {
    const stub = env.CHANNEL.getByName("ticks");
    expect(await stub.publish("ticks", FROM, "1", false)).toBe(1);
    expect(await stub.publish("ticks", FROM, "2", true)).toBe(2);
    const restarted = await runInDurableObject(stub, async (live: ChannelObject, state) => {
      await live.settle("ticks"); // as before an eviction
      const fresh = new ChannelObject(state, env);
      return { joined: await fresh.join("ticks", "someapp"), seq: await fresh.publish("ticks", FROM, "3", false) };
    });
    expect(restarted.seq).toBe(3);
    expect(JSON.parse(restarted.joined.retained!)).toMatchObject({
      t: "msg",
      channel: "ticks",
      data: "2",
      seq: 2,
      retained: true,
    });
  });

  it("clears the retained value with an empty retained message", async () => {
    const stub = env.CHANNEL.getByName("status");
    await stub.publish("status", FROM, "online", true);
    await stub.publish("status", FROM, "", true);
    expect((await stub.join("status", "x")).retained).toBeNull();
  });

  it("drops a member app that reports no subscribers (stale membership heals)", async () => {
    const stub = env.CHANNEL.getByName("stale");
    await stub.join("stale", "ghost-app");
    expect((await stub.stats("stale")).members).toEqual(["ghost-app"]);
    await stub.publish("stale", FROM, "hello", false);
    await vi.waitFor(async () => expect((await stub.stats("stale")).members).toEqual([]));
  });
});

describe("an idle channel", () => {
  it("frees its storage once it has no member, no retained value and no unexpired history; seq starts again under a new epoch", async () => {
    const stub = env.CHANNEL.getByName("idle-1");
    await stub.join("idle-1", "app1");
    for (let i = 0; i < 3; i++) await stub.publish("idle-1", FROM, `m${i}`, false);
    const before = await stub.stats("idle-1");
    expect(before.seq).toBe(3);
    const after = await runInDurableObject(stub, async (live: ChannelObject, state) => {
      await live.settle("idle-1"); // as before an eviction
      // An instance whose idle period and history TTL are 1 ms, over the same storage.
      const fresh = new ChannelObject(state, { ...env, NEXUS_CHANNEL_IDLE_MS: "1", NEXUS_HISTORY_TTL_MS: "1" } as Env);
      await fresh.leave("idle-1", "app1");
      const alarm = await state.storage.getAlarm();
      await new Promise((resolve) => setTimeout(resolve, 5)); // the idle period passes
      await fresh.alarm();
      const tables = state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray()
        .filter((r) => !r.name.startsWith("_cf_"));
      return { alarm, tables, stats: await fresh.stats("idle-1"), seq: await fresh.publish("idle-1", FROM, "again", false) };
    });
    expect(after.alarm).not.toBeNull();
    expect(after.tables).toEqual([]);
    expect(after.stats.seq).toBe(0);
    expect(after.stats.epoch).not.toBe(before.epoch);
    expect(after.seq).toBe(1);
  });

  it("keeps a channel that holds a retained value", async () => {
    const stub = env.CHANNEL.getByName("idle-2");
    await stub.publish("idle-2", FROM, "online", true);
    const kept = await runInDurableObject(stub, async (live: ChannelObject, state) => {
      await live.settle("idle-2"); // as before an eviction
      const fresh = new ChannelObject(state, { ...env, NEXUS_CHANNEL_IDLE_MS: "1" } as Env);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await fresh.alarm();
      return await fresh.join("idle-2", "app2");
    });
    expect(JSON.parse(kept.retained!)).toMatchObject({ data: "online", seq: 1 });
  });
});
