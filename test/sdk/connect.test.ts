import { connect, NexusError } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextError, waitState } from "../../sdk/src/testing/wait";
import { startStack, type TestStack } from "../support/stack";
import { SdkClients } from "./sdk-stack";

// Connecting with the SDK against the real edge: identity, refusals with their codes (Node reads the
// HTTP status through `ws`), and the close codes that end a client for good.

let s: TestStack;
let clients: SdkClients;

beforeAll(async () => {
  s = await startStack();
  clients = new SdkClients(s);
  await s.createApp("sdkconn", "owner1");
});

afterAll(async () => {
  await clients?.closeAll();
  await s?.stop();
});

describe("connect", () => {
  it("is connected with the identity the server stamps", async () => {
    const nx = await clients.open({ uid: "owner1", app: "sdkconn" }, { kind: "default" });
    expect(nx.state).toBe("connected");
    expect(nx.identity).toMatchObject({ app: "sdkconn", uid: "owner1", role: "owner", kind: "default" });
    expect(nx.jid).toBe(`sdkconn-owner1-owner@${s.domain}/${nx.identity!.resource}`);
    expect(nx.limits.apiTimeoutMs).toBe(30_000);
  });

  it("accepts a ws:// base URL and an exact resource", async () => {
    const token = await s.token({ uid: "owner1", app: "sdkconn" });
    const nx = await connect({ url: s.httpUrl.replace("http", "ws"), token, resource: "defaultExact1" });
    expect(nx.identity?.resource).toBe("defaultExact1");
    await nx.close();
    expect(nx.state).toBe("closed");
  });

  it.each([
    ["a bad token", 401, "unauthorized", async () => ({ token: "not-a-jwt", kind: "default" })],
    [
      "a kind the token does not allow",
      403,
      "forbidden",
      async () => ({ token: await s.token({ uid: "u1", app: "sdkconn", kinds: ["webuo"] }), kind: "default" }),
    ],
    [
      "an unknown kind",
      400,
      "bad_request",
      async () => ({ token: await s.token({ uid: "u1", app: "sdkconn" }), kind: "toaster" }),
    ],
  ])("rejects %s with HTTP %i as %s", async (_what, status, code, options) => {
    const err = await connect({ url: s.httpUrl, ...(await options()) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NexusError);
    expect(err).toMatchObject({ name: "NexusError", code, status, retryable: false });
  });

  it("a second connection with the same JID closes the first for good (4009)", async () => {
    const first = await clients.open({ uid: "owner1", app: "sdkconn" }, { resource: "defaultTwin" });
    const replaced = nextError(first);
    const closed = waitState(first, "closed");
    const second = await clients.open({ uid: "owner1", app: "sdkconn" }, { resource: "defaultTwin" });
    await closed;
    expect(await replaced).toMatchObject({ closeCode: 4009, retryable: false });
    expect(second.state).toBe("connected");
    await expect(first.find()).rejects.toMatchObject({ retryable: false });
    expect(await second.find({ kind: "default" })).toEqual(
      expect.arrayContaining([expect.objectContaining({ jid: second.jid })]),
    );
  });
});
