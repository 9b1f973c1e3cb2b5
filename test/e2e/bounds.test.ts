import { connect, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import type { Received } from "../support/ws-client";

// What a client can make the edge hold is bounded: nesting depth, admin bodies, batch sizes, and
// what the edge sends a client that does not read. Each answer is checked as the client sees it.

const MIB = 1024 * 1024;

let s: TestStack;
let appSeq = 0;
const sdkClients: NexusClient[] = [];

beforeAll(async () => {
  s = await startStack({
    vars: {
      NEXUS_MAX_FRAME_BYTES: String(MIB - 1024),
      NEXUS_MAX_BATCH_BYTES: String(2 * MIB),
      NEXUS_MAX_QUEUED_BYTES: String(64 * MIB),
      NEXUS_MAX_OUTBOUND_BYTES: String(64 * MIB),
    },
  });
});

afterAll(async () => {
  await Promise.all(sdkClients.map((nx) => nx.close()));
  await s?.stop();
});

async function freshApp(): Promise<string> {
  const app = `bounds-${++appSeq}`;
  await s.createApp(app, "owner");
  return app;
}

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("JSON nesting depth (64 levels)", () => {
  it("refuses a 10,000-deep frame with bad_request, naming its id, and keeps the connection", async () => {
    const app = await freshApp();
    const b = await s.open("u1", app, { kind: "webuo" });
    b.send(`{"t":"api","id":"deep1","app":"${app}","method":"m","data":${nested(10_000)}}`);
    expect(await b.next((f) => f.id === "deep1")).toMatchObject({
      t: "error",
      code: "bad_request",
      message: expect.stringContaining("64"),
    });
    b.send(`{"t":"api","id":"deep2","app":"${app}","method":"m","data":${nested(64)}}`);
    expect(await b.next((f) => f.id === "deep2")).toMatchObject({ t: "error", code: "bad_request" });
    // 63 levels inside the frame's own object are accepted (no worker: no_responders).
    b.send(`{"t":"api","id":"deep3","app":"${app}","method":"m","data":${nested(63)}}`);
    expect(await b.next((f) => f.id === "deep3")).toMatchObject({ t: "api.result", ok: false, error: { code: "no_responders" } });
    await b.close();
  });

  it("answers the caller at once when a worker's api.res nests 10,000 levels, and tells the worker", async () => {
    const app = await freshApp();
    const w = await s.open("owner", app, { kind: "default" });
    expect(await w.request({ t: "serve", id: "v1", methods: ["deep"] })).toMatchObject({ t: "ack" });
    const caller = await s.open("u1", app, { kind: "webuo" });
    caller.send({ t: "api", id: "c1", app, method: "deep", data: null });
    const req = await w.next((f) => f.t === "api.req");
    w.send(`{"t":"api.res","rid":"${req.rid}","ok":true,"data":${nested(10_000)}}`);
    expect(await w.next((f) => f.t === "error")).toMatchObject({ code: "bad_request" });
    expect(await caller.next((f) => f.id === "c1")).toMatchObject({
      t: "api.result",
      ok: false,
      error: { code: "app_error", message: expect.stringContaining("refused") },
    });
    // The call is over: a later, well-formed answer is dropped, and the worker serves on.
    w.send({ t: "api.res", rid: req.rid, ok: true, data: "late" });
    caller.send({ t: "api", id: "c2", app, method: "deep", data: null });
    const next = await w.next((f) => f.t === "api.req");
    w.send({ t: "api.res", rid: next.rid, ok: true, data: "fine" });
    expect(await caller.next((f) => f.id === "c2")).toMatchObject({ ok: true, data: "fine" });
    expect(caller.queued().filter((f) => f.t === "api.result")).toEqual([]);
    await Promise.all([w.close(), caller.close()]);
  });
});

describe("admin bodies (64 KiB)", () => {
  it("refuses a larger body with 413 too_large, with or without Content-Length", async () => {
    const big = JSON.stringify({ owner: "o", pad: "x".repeat(70 * 1024) });
    const headers = { authorization: `Bearer ${s.adminKey}`, "content-type": "application/json" };
    const withLength = await fetch(`${s.httpUrl}/v1/admin/apps/big1`, { method: "PUT", headers, body: big });
    expect(withLength.status).toBe(413);
    expect(await withLength.json()).toMatchObject({ error: { code: "too_large" } });
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const chunked = await fetch(`${s.httpUrl}/v1/admin/apps/big2`, {
      method: "PUT",
      headers,
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await s.admin("GET", "/v1/admin/apps/big1")).status).toBe(404);
    expect((await s.admin("PUT", "/v1/admin/apps/small", { owner: "o" })).status).toBe(200);
  });
});

describe("batches bounded by bytes", () => {
  it("delivers a pipelined burst of 48 messages of 900 KiB (43 MB) in order, in calls of at most 2 MiB", async () => {
    const app = await freshApp();
    const publisher = await s.open("u1", app, { kind: "webuo" });
    const subscriber = await s.open("u2", app, { kind: "webuo" });
    expect(await subscriber.request({ t: "sub", id: "s1", channel: `${app}/big` })).toMatchObject({ t: "ack" });
    // A reading client tells the edge so (the SDK pings after every MiB it reads).
    const got: number[] = [];
    let expected = Number.POSITIVE_INFINITY;
    let allArrived: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (allArrived = resolve));
    subscriber.ws.on("message", (raw) => {
      const f = JSON.parse(String(raw)) as Received;
      if (f.t !== "msg") return;
      got.push(Number(f.data.slice(0, 4)));
      subscriber.send('{"t":"ping"}');
      if (got.length >= expected) allArrived();
    });
    const pad = "x".repeat(900 * 1024);
    for (let i = 0; i < 48; i++)
      publisher.send({ t: "pub", id: `p${i}`, channel: `${app}/big`, data: `${String(i).padStart(4, "0")}${pad}` });
    const answers = await Promise.all(Array.from({ length: 48 }, (_, i) => publisher.next((f) => f.id === `p${i}`, 60_000)));
    const acked = answers.filter((f) => f.t === "ack").map((f) => Number(f.id.slice(1)));
    expect(acked).toHaveLength(48);
    expected = acked.length;
    if (got.length >= expected) allArrived();
    await arrived;
    expect(got).toEqual(acked);
    await Promise.all([publisher.close(), subscriber.close()]);
  });
});

describe("slow consumers (64 MiB configured)", () => {
  it("closes a subscriber that receives more than maxOutboundBytes without sending anything with 4013, while an SDK subscriber that reads gets everything", async () => {
    const app = await freshApp();
    const silent = await s.open("u1", app, { kind: "webuo" });
    const channel = `${app}/firehose`;
    expect(await silent.request({ t: "sub", id: "s1", channel })).toMatchObject({ t: "ack" });
    const reader = await connect({ url: s.httpUrl, token: await s.token({ uid: "u2", app }), kind: "webuo" });
    sdkClients.push(reader);
    const received: string[] = [];
    let wake: (() => void) | undefined;
    await reader.subscribe(channel, (m) => {
      received.push(m.slice(0, 4));
      wake?.();
    });
    const publisher = await s.open("u3", app, { kind: "webuo" });
    const pad = "y".repeat(900 * 1024);
    // In lockstep with the reader, so that only the silent subscriber falls behind.
    for (let i = 0; i < 90; i++) {
      const arrived = new Promise<void>((resolve) => (wake = resolve));
      expect(
        await publisher.request({ t: "pub", id: `p${i}`, channel, data: `${String(i).padStart(4, "0")}${pad}` }),
      ).toMatchObject({
        t: "ack",
      });
      await arrived;
    }
    expect(received).toHaveLength(90);
    expect(reader.state).toBe("connected");
    const closed = await silent.closed;
    expect(closed).toMatchObject({ code: 4013, reason: expect.stringContaining("slow consumer") });
    const delivered = silent.queued().filter((f) => f.t === "msg");
    expect(delivered.length).toBeLessThan(90);
    expect(delivered.length).toBeGreaterThanOrEqual(Math.floor((64 * MIB) / (900 * 1024 + 300)));
    await publisher.close();
  });
});
