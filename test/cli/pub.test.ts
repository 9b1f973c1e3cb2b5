import { connect, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { runCli } from "./cli-process";

let s: TestStack;
let subscriber: NexusClient;
let env: Record<string, string>;

beforeAll(async () => {
  s = await startStack();
  await s.createApp("cli-pub", "pubowner");
  const token = await s.token({ uid: "pubowner", app: "cli-pub" });
  env = { NEXUS_URL: s.httpUrl, NEXUS_TOKEN: token };
  subscriber = await connect({ url: s.httpUrl, token, kind: "webuo" });
});

afterAll(async () => {
  await subscriber?.close();
  await s?.stop();
});

describe("nexus pub", () => {
  it("delivers TEXT to subscribers, sent by a webuo block, and exits 0", async () => {
    const sub = await subscriber.subscribe("cli.pub.live");
    const r = await runCli(["pub", "cli.pub.live", "hello"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("published to cli.pub.live\n");
    const { value } = await sub[Symbol.asyncIterator]().next();
    expect(value).toMatchObject({ channel: "cli.pub.live", text: "hello", retained: false });
    expect(value.from).toMatchObject({ uid: "pubowner", kind: "webuo" });
    await sub.unsubscribe();
  });

  it("keeps the message for later subscribers with --retain, and says so with --json", async () => {
    const r = await runCli(["pub", "cli.pub.retained", "online", "--retain", "--json"], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, channel: "cli.pub.retained", retain: true });
    const sub = await subscriber.subscribe("cli.pub.retained");
    const { value } = await sub[Symbol.asyncIterator]().next();
    expect(value).toMatchObject({ text: "online", retained: true });
    await sub.unsubscribe();
  });

  it("exits 5 when the token may not connect as the kind", async () => {
    const token = await s.token({ uid: "pubowner", app: "cli-pub", kinds: ["default"] });
    const r = await runCli(["pub", "cli.pub.live", "x"], { ...env, NEXUS_TOKEN: token });
    expect(r.code).toBe(5);
    expect((await runCli(["pub", "cli.pub.live", "x", "--kind", "default"], { ...env, NEXUS_TOKEN: token })).code).toBe(0);
  });

  it("exits 2 on a malformed channel name, saying what a channel name is", async () => {
    const r = await runCli(["pub", "no spaces here", "x"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nexus: usage: CHANNEL "no spaces here" is not a channel name: use 1-128 of A-Z a-z 0-9 _ . : / -\n');
  });

  it("exits 2 without TEXT", async () => {
    const r = await runCli(["pub", "cli.pub.live"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument");
  });
});
