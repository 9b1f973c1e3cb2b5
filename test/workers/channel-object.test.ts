import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ChannelObject } from "../../src/channel/channel-object";

const FROM = JSON.stringify({
  jid: "a-u-user@qepal.com/webuo1",
  app: "a",
  uid: "u",
  role: "user",
  resource: "webuo1",
  kind: "webuo",
});

describe("channel object", () => {
  it("numbers messages, keeps the retained value and both survive a restart", async () => {
    const stub = env.CHANNEL.getByName("ticks");
    expect(await stub.publish("ticks", FROM, "1", false)).toBe(1);
    expect(await stub.publish("ticks", FROM, "2", true)).toBe(2);
    const restarted = await runInDurableObject(stub, (_live: ChannelObject, state) => {
      const fresh = new ChannelObject(state, env);
      return { joined: fresh.join("ticks", "someapp"), seq: fresh.publish("ticks", FROM, "3", false) };
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
