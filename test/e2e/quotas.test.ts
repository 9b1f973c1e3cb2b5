import { connect, type NexusClient, NexusError } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { type Block, openBlock, type Received, UpgradeRefused } from "../support/ws-client";

// Every quota of contract revision 2, and the bounds per user and per app beside them, over the wire
// with small configured values: what a client is answered when it holds too much, and that it can
// go on once it released something. Each test uses its own app (and uids), so counts never mix.

const LIMITS = {
  NEXUS_MAX_SUBSCRIPTIONS: "3",
  NEXUS_MAX_SUBSCRIPTIONS_PER_USER: "5",
  NEXUS_MAX_CHANNELS_PER_APP: "8",
  NEXUS_MAX_PENDING_CALLS: "2",
  NEXUS_MAX_PENDING_CALLS_PER_USER: "3",
  NEXUS_MAX_PENDING_CALLS_PER_APP: "5",
  NEXUS_MAX_SERVED_METHODS: "4",
  NEXUS_MAX_BLOCKS_PER_USER: "2",
  NEXUS_MAX_RETAINED_BYTES_PER_APP: "3000",
};

let s: TestStack;
let appSeq = 0;
let idSeq = 0;
const sdkClients: NexusClient[] = [];

beforeAll(async () => {
  s = await startStack({ vars: LIMITS });
});

afterAll(async () => {
  await Promise.all(sdkClients.map((nx) => nx.close()));
  await s?.stop();
});

async function freshApp(owner = "owner"): Promise<string> {
  const app = `quota-${++appSeq}`;
  await s.createApp(app, owner);
  return app;
}

const id = (p: string) => `${p}${++idSeq}`;

function sub(b: Block, channel: string): Promise<Received> {
  return b.request({ t: "sub", id: id("s"), channel });
}

/** A worker that keeps every request it gets unanswered until the test answers it. */
async function silentWorker(uid: string, app: string, methods: string[]): Promise<Block> {
  const w = await s.open(uid, app, { kind: "default" });
  expect(await w.request({ t: "serve", id: id("v"), methods })).toMatchObject({ t: "ack" });
  return w;
}

describe("welcome", () => {
  it("states the configured quotas", async () => {
    const app = await freshApp();
    const b = await s.open("u1", app, { kind: "webuo" });
    expect(b.welcome.limits).toMatchObject({ maxSubscriptions: 3, maxPendingCalls: 2, maxServedMethods: 4, maxBlocksPerUser: 2 });
    await b.close();
  });
});

describe("subscriptions", () => {
  it("refuses a block's subscription past maxSubscriptions, also when the subs are pipelined, and takes one after an unsub", async () => {
    const app = await freshApp();
    const b = await s.open("u1", app, { kind: "webuo" });
    const ids = Array.from({ length: 6 }, () => id("p"));
    for (const [i, sid] of ids.entries()) b.send({ t: "sub", id: sid, channel: `${app}/c${i}` });
    const answers = await Promise.all(ids.map((sid) => b.next((f) => f.id === sid)));
    expect(answers.filter((f) => f.t === "ack")).toHaveLength(3);
    const refused = answers.filter((f) => f.t === "error");
    expect(refused).toHaveLength(3);
    for (const e of refused)
      expect(e).toMatchObject({ code: "quota_exceeded", quota: "maxSubscriptions", message: expect.any(String) });
    const held = answers.findIndex((f) => f.t === "ack");
    expect(await b.request({ t: "unsub", id: id("u"), channel: `${app}/c${held}` })).toMatchObject({ t: "ack" });
    expect(await sub(b, `${app}/again`)).toMatchObject({ t: "ack" });
    await b.close();
  });

  it("bounds one user's blocks together (maxSubscriptionsPerUser); another user is not affected", async () => {
    const app = await freshApp();
    const a = await s.open("u1", app, { kind: "webuo" });
    const b = await s.open("u1", app, { kind: "webuo" });
    for (let i = 0; i < 3; i++) expect(await sub(a, `${app}/a${i}`)).toMatchObject({ t: "ack" });
    for (let i = 0; i < 2; i++) expect(await sub(b, `${app}/b${i}`)).toMatchObject({ t: "ack" });
    expect(await sub(b, `${app}/b2`)).toMatchObject({ t: "error", code: "quota_exceeded", quota: "maxSubscriptionsPerUser" });
    const other = await s.open("u2", app, { kind: "webuo" });
    expect(await sub(other, `${app}/o0`)).toMatchObject({ t: "ack" });
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  it("bounds the distinct channels of an app (maxChannelsPerApp); a channel it is already on still joins", async () => {
    const app = await freshApp();
    const blocks = await Promise.all(["v1", "v2", "v3"].map((uid) => s.open(uid, app, { kind: "webuo" })));
    for (let i = 0; i < 8; i++) expect(await sub(blocks[Math.floor(i / 3)]!, `${app}/ch${i}`)).toMatchObject({ t: "ack" });
    const last = blocks[2]!;
    expect(await sub(last, `${app}/ch8`)).toMatchObject({ t: "error", code: "quota_exceeded", quota: "maxChannelsPerApp" });
    expect(await sub(last, `${app}/ch0`)).toMatchObject({ t: "ack" });
    await Promise.all(blocks.map((b) => b.close()));
  });
});

describe("served methods", () => {
  it("refuses a serve naming more than maxServedMethods and keeps the previous set in force", async () => {
    const app = await freshApp();
    const w = await s.open("owner", app, { kind: "default" });
    expect(await w.request({ t: "serve", id: id("v"), methods: ["a", "b"] })).toMatchObject({ t: "ack" });
    const refused = await w.request({ t: "serve", id: id("v"), methods: ["m1", "m2", "m3", "m4", "m5"] });
    expect(refused).toMatchObject({ t: "error", code: "quota_exceeded", quota: "maxServedMethods" });
    const caller = await s.open("u1", app, { kind: "webuo" });
    const cid = id("c");
    caller.send({ t: "api", id: cid, app, method: "a", data: null });
    const req = await w.next((f) => f.t === "api.req");
    expect(req.method).toBe("a");
    w.send({ t: "api.res", rid: req.rid, ok: true, data: 1 });
    expect(await caller.next((f) => f.id === cid)).toMatchObject({ ok: true, data: 1 });
    const m1 = await caller.request({ t: "api", id: id("c"), app, method: "m1", data: null });
    expect(m1).toMatchObject({ ok: false, error: { code: "no_responders" } });
    await Promise.all([w.close(), caller.close()]);
  });
});

describe("pending calls", () => {
  it("answers a call past maxPendingCalls at once with quota_exceeded, and takes calls again once one is answered", async () => {
    const app = await freshApp();
    const w = await silentWorker("owner", app, ["slow"]);
    const caller = await s.open("u1", app, { kind: "webuo" });
    const [c1, c2, c3] = [id("c"), id("c"), id("c")];
    for (const cid of [c1, c2, c3]) caller.send({ t: "api", id: cid, app, method: "slow", data: null });
    expect(await caller.next((f) => f.id === c3)).toMatchObject({
      t: "api.result",
      ok: false,
      error: { code: "quota_exceeded", quota: "maxPendingCalls" },
    });
    const first = await w.next((f) => f.t === "api.req");
    w.send({ t: "api.res", rid: first.rid, ok: true, data: "one" });
    expect(await caller.next((f) => f.id === c1 || f.id === c2)).toMatchObject({ ok: true, data: "one" });
    const c4 = id("c");
    caller.send({ t: "api", id: c4, app, method: "slow", data: null });
    const again = await w.next((f) => f.t === "api.req" && f.rid !== first.rid);
    const third = await w.next((f) => f.t === "api.req");
    for (const r of [again, third]) w.send({ t: "api.res", rid: r.rid, ok: true, data: "later" });
    const rest = [await caller.next((f) => f.t === "api.result"), await caller.next((f) => f.t === "api.result")];
    expect(rest.map((r) => r.ok)).toEqual([true, true]);
    await Promise.all([w.close(), caller.close()]);
  });

  it("bounds one calling user at the target app (maxPendingCallsPerUser) while another user's calls go through", async () => {
    const app = await freshApp();
    const w = await silentWorker("owner", app, ["slow"]);
    const a = await s.open("u1", app, { kind: "webuo" });
    const b = await s.open("u1", app, { kind: "webuo" });
    const calls = [id("c"), id("c")];
    for (const cid of calls) a.send({ t: "api", id: cid, app, method: "slow", data: null });
    for (let i = 0; i < 2; i++) await w.next((f) => f.t === "api.req");
    // The user's third call, from its other block, is accepted: it reaches the worker.
    b.send({ t: "api", id: id("c"), app, method: "slow", data: null });
    await w.next((f) => f.t === "api.req");
    expect(await b.request({ t: "api", id: id("c"), app, method: "slow", data: null })).toMatchObject({
      ok: false,
      error: { code: "quota_exceeded", quota: "maxPendingCallsPerUser" },
    });
    const other = await s.open("u2", app, { kind: "webuo" });
    const oid = id("c");
    other.send({ t: "api", id: oid, app, method: "slow", data: null });
    const req = await w.next((f) => f.t === "api.req");
    expect(req.from.uid).toBe("u2");
    w.send({ t: "api.res", rid: req.rid, ok: true, data: "for u2" });
    expect(await other.next((f) => f.id === oid)).toMatchObject({ ok: true, data: "for u2" });
    await Promise.all([w.close(), a.close(), b.close(), other.close()]);
  });

  it("bounds all calls waiting at one app (maxPendingCallsPerApp)", async () => {
    const app = await freshApp();
    const w = await silentWorker("owner", app, ["slow"]);
    const callers = await Promise.all(["x1", "x2", "x3"].map((uid) => s.open(uid, app, { kind: "webuo" })));
    for (const [i, c] of callers.entries()) {
      for (let k = 0; k < (i < 2 ? 2 : 1); k++) c.send({ t: "api", id: id("c"), app, method: "slow", data: null });
    }
    for (let i = 0; i < 5; i++) await w.next((f) => f.t === "api.req");
    expect(await callers[2]!.request({ t: "api", id: id("c"), app, method: "slow", data: null })).toMatchObject({
      ok: false,
      error: { code: "quota_exceeded", quota: "maxPendingCallsPerApp" },
    });
    await Promise.all([w.close(), ...callers.map((c) => c.close())]);
  });
});

describe("retained values", () => {
  it("bounds the bytes an app parks (maxRetainedBytesPerApp); replacing or clearing a value frees its bytes", async () => {
    const app = await freshApp();
    const b = await s.open("u1", app, { kind: "webuo" });
    const pub = (channel: string, data: string, retain = true) =>
      b.request({ t: "pub", id: id("r"), channel: `${app}/${channel}`, data, retain });
    const kb = "x".repeat(1000);
    expect(await pub("a", kb)).toMatchObject({ t: "ack" });
    expect(await pub("b", kb)).toMatchObject({ t: "ack" });
    expect(await pub("c", kb)).toMatchObject({ t: "error", code: "quota_exceeded", quota: "maxRetainedBytesPerApp" });
    // Nothing was kept: a subscriber of "c" gets no retained value.
    expect(await sub(b, `${app}/c`)).toMatchObject({ t: "ack" });
    expect(b.queued().filter((f) => f.t === "msg")).toEqual([]);
    // Plain messages are not retained and do not count.
    expect(await pub("c", kb, false)).toMatchObject({ t: "ack" });
    await b.next((f) => f.t === "msg" && f.channel === `${app}/c`);
    expect(await pub("a", "small")).toMatchObject({ t: "ack" });
    expect(await pub("b", "")).toMatchObject({ t: "ack" });
    expect(await pub("c", kb)).toMatchObject({ t: "ack" });
    expect(await b.next((f) => f.t === "msg" && f.channel === `${app}/c`)).toMatchObject({ data: kb });
    await b.close();
  });
});

describe("blocks per user", () => {
  it("refuses a connect past maxBlocksPerUser with 429 and a JSON body naming the quota; replacing a JID still works", async () => {
    const app = await freshApp();
    const token = await s.token({ uid: "u1", app });
    const a = await openBlock(s.connectUrlFor(token, { resource: "webuo1" }));
    const b = await openBlock(s.connectUrlFor(token, { resource: "webuo2" }));
    const refused = await openBlock(s.connectUrlFor(token, { resource: "webuo3" })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect(refused).toMatchObject({
      status: 429,
      body: { error: { code: "quota_exceeded", quota: "maxBlocksPerUser", message: expect.any(String) } },
    });
    // Same JID: replaces, does not add.
    const again = await openBlock(s.connectUrlFor(token, { resource: "webuo2" }));
    expect((await b.closed).code).toBe(4009);
    // Another user of the app is not affected; once a block left, the user may connect again.
    const other = await s.open("u2", app, { kind: "webuo" });
    await a.close();
    const c = await openBlock(s.connectUrlFor(token, { resource: "webuo3" }));
    await Promise.all([again.close(), other.close(), c.close()]);
  });
});

describe("the TypeScript SDK", () => {
  it("rejects with a NexusError naming the quota", async () => {
    const app = await freshApp();
    const nx = await connect({ url: s.httpUrl, token: await s.token({ uid: "sdk1", app }), kind: "webuo" });
    sdkClients.push(nx);
    for (let i = 0; i < 3; i++) await nx.subscribe(`${app}/sdk${i}`);
    const err = await nx.subscribe(`${app}/sdk3`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NexusError);
    expect(err).toMatchObject({ code: "quota_exceeded", quota: "maxSubscriptions", retryable: false });
  });
});
