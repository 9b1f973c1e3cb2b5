import type { DirectContext } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { SdkClients } from "./sdk-stack";

// The SDK's Directs and Find against the real edge.

let s: TestStack;
let clients: SdkClients;

beforeAll(async () => {
  s = await startStack();
  clients = new SdkClients(s);
  await s.createApp("sdkdf", "owner1");
});

afterAll(async () => {
  await clients?.closeAll();
  await s?.stop();
});

describe("direct", () => {
  it("delivers Directs in order to the worker's handler, with the sender", async () => {
    const worker = await clients.open({ uid: "owner1", app: "sdkdf" }, { kind: "default" });
    const got: [string, DirectContext][] = [];
    let arrived!: () => void;
    const all = new Promise<void>((r) => {
      arrived = r;
    });
    worker.onDirect((text, ctx) => {
      got.push([text, ctx]);
      if (got.length === 3) arrived();
    });
    const front = await clients.open({ uid: "owner1", app: "sdkdf" }, { kind: "webuo" });
    await front.direct("sdkdf", worker.identity!.resource, "one");
    await front.direct("sdkdf", worker.identity!.resource, "two");
    await front.direct("sdkdf", worker.identity!.resource, "three", { ack: true });
    await all;
    expect(got.map(([t]) => t)).toEqual(["one", "two", "three"]);
    expect(got[0]![1].from.jid).toBe(front.jid);
  });

  it("with ack, rejects with offline, not_a_worker and not_found", async () => {
    const front = await clients.open({ uid: "owner1", app: "sdkdf" }, { kind: "webuo" });
    await expect(front.direct("sdkdf", "defaultGone1", "x", { ack: true })).rejects.toMatchObject({
      code: "offline",
      retryable: true,
    });
    await expect(front.direct("sdkdf", front.identity!.resource, "x", { ack: true })).rejects.toMatchObject({
      code: "not_a_worker",
    });
    await expect(front.direct("nope-app", "default1", "x", { ack: true })).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("find", () => {
  it("lists the caller's own online blocks, filtered by kind", async () => {
    const worker = await clients.open({ uid: "finder", app: "sdkdf" }, { kind: "default" });
    const front = await clients.open({ uid: "finder", app: "sdkdf" }, { kind: "webuo" });
    const all = await front.find();
    expect(all.map((b) => b.jid).sort()).toEqual([worker.jid, front.jid].sort());
    const workers = await front.find({ kind: "default" });
    expect(workers).toHaveLength(1);
    expect(workers[0]).toMatchObject({ jid: worker.jid, kind: "default", uid: "finder", app: "sdkdf" });
    expect(typeof workers[0]!.since).toBe("number");
  });

  it("scope app is for the owner only", async () => {
    const other = await clients.open({ uid: "finder2", app: "sdkdf" }, { kind: "default" });
    const owner = await clients.open({ uid: "owner1", app: "sdkdf" }, { kind: "webuo" });
    const blocks = await owner.find({ app: "sdkdf", scope: "app" });
    expect(blocks.map((b) => b.jid)).toEqual(expect.arrayContaining([other.jid, owner.jid]));
    const user = await clients.open({ uid: "user2", app: "sdkdf" }, { kind: "webuo" });
    await expect(user.find({ app: "sdkdf", scope: "app" })).rejects.toMatchObject({ code: "forbidden" });
  });
});
