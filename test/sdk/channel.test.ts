import type { ChannelMessage } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { SdkClients } from "./sdk-stack";

// The SDK's channels against the real edge: subscribe (handler and iterator), publish, retained values.

let s: TestStack;
let clients: SdkClients;

beforeAll(async () => {
  s = await startStack();
  clients = new SdkClients(s);
  await s.createApp("sdkch", "owner1");
});

afterAll(async () => {
  await clients?.closeAll();
  await s?.stop();
});

function collect(count: number): {
  messages: ChannelMessage[];
  done: Promise<void>;
  push(text: string, m: ChannelMessage): void;
} {
  const messages: ChannelMessage[] = [];
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    messages,
    done,
    push(_text, m) {
      messages.push(m);
      if (messages.length === count) resolve();
    },
  };
}

describe("subscribe and publish", () => {
  it("delivers every message in order with sender, channel and consecutive seq", async () => {
    const pub = await clients.open({ uid: "owner1", app: "sdkch" }, { kind: "default" });
    const sub = await clients.open({ uid: "user2", app: "sdkch" }, { kind: "webuo" });
    const got = collect(5);
    await sub.subscribe("sdk/prices", got.push);
    for (let i = 1; i <= 5; i++) await pub.publish("sdk/prices", String(i));
    await got.done;
    expect(got.messages.map((m) => m.text)).toEqual(["1", "2", "3", "4", "5"]);
    expect(got.messages.every((m) => m.from.jid === pub.jid && m.channel === "sdk/prices" && !m.retained)).toBe(true);
    const seqs = got.messages.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it("gives a new subscriber the retained value first, flagged, then live messages", async () => {
    const pub = await clients.open({ uid: "owner1", app: "sdkch" }, { kind: "default" });
    await pub.publish("sdk/status", "online", { retain: true, ack: true });
    const sub = await clients.open({ uid: "user2", app: "sdkch" }, { kind: "webuo" });
    const got = collect(2);
    await sub.subscribe("sdk/status", got.push);
    await pub.publish("sdk/status", "busy");
    await got.done;
    expect(got.messages.map((m) => [m.text, m.retained])).toEqual([
      ["online", true],
      ["busy", false],
    ]);
  });

  it("iterates messages with for await and stops after unsubscribe", async () => {
    const nx = await clients.open({ uid: "owner1", app: "sdkch" }, { kind: "default" });
    const sub = await nx.subscribe("sdk/loop");
    await nx.publish("sdk/loop", "a", { ack: true });
    await nx.publish("sdk/loop", "b", { ack: true });
    const texts: string[] = [];
    for await (const m of sub) {
      texts.push(m.text);
      if (texts.length === 2) break;
    }
    expect(texts).toEqual(["a", "b"]);
    expect(sub.closed).toBe(true);
    // Unsubscribed on the wire: a later message reaches a fresh subscription but not the old one.
    const again = collect(1);
    await nx.subscribe("sdk/loop", again.push);
    await nx.publish("sdk/loop", "c", { ack: true });
    await again.done;
    expect(texts).toEqual(["a", "b"]);
  });

  it("rejects a publish with the server's error when asked to ack", async () => {
    const nx = await clients.open({ uid: "owner1", app: "sdkch" }, { kind: "default" });
    await expect(nx.publish("sdk/big", "x".repeat(300_000), { ack: true })).rejects.toMatchObject({ code: "too_large" });
    expect(nx.state).toBe("connected");
  });
});
