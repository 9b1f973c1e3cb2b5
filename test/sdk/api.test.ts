import { NexusError } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { SdkClients } from "./sdk-stack";

// The SDK's Nexus API against the real edge (workerd): serve, api, errors and their codes.

const OWNER = "owner1";
const USER = "user2";
let s: TestStack;
let clients: SdkClients;

beforeAll(async () => {
  s = await startStack();
  clients = new SdkClients(s);
  await s.createApp("sdkapi", OWNER);
});

afterAll(async () => {
  await clients?.closeAll();
  await s?.stop();
});

describe("api and serve", () => {
  it("resolves with the worker's data and tells the worker who called", async () => {
    const worker = await clients.open({ uid: OWNER, app: "sdkapi" }, { kind: "default" });
    const callers: string[] = [];
    await worker.serve("sum", ({ a, b }: { a: number; b: number }, ctx) => {
      callers.push(ctx.from.jid);
      return { sum: a + b };
    });
    const front = await clients.open({ uid: OWNER, app: "sdkapi" }, { kind: "webuo" });
    expect(front.jid).toMatch(/^sdkapi-owner1-owner@qepal\.com\/webuo[A-Za-z0-9]{8}$/);
    expect(await front.api("sdkapi", "sum", { a: 2, b: 3 })).toEqual({ sum: 5 });
    expect(await front.api("sdkapi", "sum", { a: 1, b: 1 }, { resource: worker.identity!.resource })).toEqual({ sum: 2 });
    expect(callers).toEqual([front.jid, front.jid]);
  });

  it("answers thrown errors: bad_request is kept, any other code (or plain error) is app_error", async () => {
    const worker = await clients.open({ uid: OWNER, app: "sdkapi" }, { kind: "default" });
    await worker.serve("deny", () => {
      throw new NexusError("forbidden", "only admins");
    });
    await worker.serve("picky", () => {
      throw new NexusError("bad_request", "a is missing");
    });
    await worker.serve("crash", async () => {
      throw new Error("disk full");
    });
    const front = await clients.open({ uid: OWNER, app: "sdkapi" }, { kind: "webuo" });
    const denied = await front.api("sdkapi", "deny", null, { resource: worker.identity!.resource }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(NexusError);
    // The edge lets a worker say only app_error or bad_request, so a handler cannot fake a server condition.
    expect(denied).toMatchObject({ code: "app_error", message: "only admins", retryable: false });
    await expect(front.api("sdkapi", "picky", null, { resource: worker.identity!.resource })).rejects.toMatchObject({
      code: "bad_request",
      message: "a is missing",
    });
    await expect(front.api("sdkapi", "crash", null, { resource: worker.identity!.resource })).rejects.toMatchObject({
      code: "app_error",
      message: "disk full",
    });
  });

  it("rejects at once with no_responders, not_found and forbidden", async () => {
    const front = await clients.open({ uid: OWNER, app: "sdkapi" }, { kind: "webuo" });
    await expect(front.api("sdkapi", "nobody-serves-this", null)).rejects.toMatchObject({
      code: "no_responders",
      retryable: true,
    });
    await expect(front.api("no-such-app", "sum", null)).rejects.toMatchObject({ code: "not_found", retryable: false });
    await s.createApp("sdkapi-private", "someone_else");
    const stranger = await clients.open({ uid: USER, app: "sdkapi" }, { kind: "webuo" });
    await expect(stranger.api("sdkapi-private", "sum", null)).rejects.toMatchObject({ code: "forbidden" });
  });

  it("rejects with timeout when the worker does not answer in time", async () => {
    const worker = await clients.open({ uid: OWNER, app: "sdkapi" }, { kind: "default" });
    await worker.serve("hang", () => new Promise(() => {}));
    const front = await clients.open({ uid: OWNER, app: "sdkapi" }, { kind: "webuo" });
    const err = await front
      .api("sdkapi", "hang", null, { resource: worker.identity!.resource, timeoutMs: 300 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "timeout", retryable: true });
  });

  it("a frontend cannot serve: serve rejects with not_a_worker", async () => {
    const front = await clients.open({ uid: OWNER, app: "sdkapi" }, { kind: "webuo" });
    await expect(front.serve("sum", () => 1)).rejects.toMatchObject({ code: "not_a_worker" });
  });

  it("stop() takes a method out of the pool", async () => {
    const worker = await clients.open({ uid: OWNER, app: "sdkapi" }, { kind: "default" });
    const stop = await worker.serve("once", () => "here");
    const front = await clients.open({ uid: OWNER, app: "sdkapi" }, { kind: "webuo" });
    const target = { resource: worker.identity!.resource };
    expect(await front.api("sdkapi", "once", null, target)).toBe("here");
    await stop();
    await expect(front.api("sdkapi", "once", null, target)).rejects.toMatchObject({ code: "no_responders" });
  });
});
