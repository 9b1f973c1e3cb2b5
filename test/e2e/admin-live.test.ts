import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import type { Block } from "../support/ws-client";

// The console's live views: traffic over the last minutes, the channel browser, an app's blocks.
let s: TestStack;
let worker: Block;
let caller: Block;

const sum = (xs: number[]) => xs.reduce((n, x) => n + x, 0);

beforeAll(async () => {
  s = await startStack();
  await s.createApp("liveapp", "liveowner");
  worker = await s.open("liveowner", "liveapp", { resource: "default1" });
  caller = await s.open("liveowner", "liveapp", { resource: "webuo1" });
  await worker.request({ t: "serve", id: "s1", methods: ["sum", "status"] });
  await worker.request({ t: "sub", id: "s2", channel: "live/prices" });
  await caller.request({ t: "sub", id: "s3", channel: "live/prices" });
  await caller.request({ t: "pub", id: "p1", channel: "live/prices", data: "42", retain: true });
});

afterAll(async () => {
  await s?.stop();
});

describe("GET /v1/admin/stats", () => {
  it("charts the last minutes: connections, frames in and out, calls with p50/p99, errors by code", async () => {
    const answering = worker
      .next((f) => f.t === "api.req")
      .then((req) => {
        worker.send({ t: "api.res", rid: req.rid, ok: true, data: 3 });
      });
    const result = await caller.request({ t: "api", id: "c1", app: "liveapp", method: "sum", data: {} });
    await answering;
    expect(result).toMatchObject({ t: "api.result", ok: true });
    const refused = await caller.request({ t: "api", id: "c2", app: "liveapp", method: "nobody", data: {} });
    expect(refused.error.code).toBe("no_responders");
    const bad = await caller.request({ t: "sub", id: "b1", channel: "not a channel" });
    expect(bad).toMatchObject({ t: "error", code: "bad_request" });

    const { status, body } = await s.admin("GET", "/v1/admin/stats");
    expect(status).toBe(200);
    const series = body.series;
    expect(series.step).toBe(1000);
    expect(series.in).toHaveLength(300);
    expect(series.connections.at(-1)).toBe(2);
    // Frames in: serve, 2 subs, pub, 2 calls, the bad sub, the api.res (at least).
    expect(sum(series.in)).toBeGreaterThanOrEqual(8);
    // Out: 2 welcomes, acks, the msg to 2 subscribers, the api.req, 2 results, the error (at least).
    expect(sum(series.out)).toBeGreaterThanOrEqual(10);
    expect(sum(series.calls)).toBe(2);
    expect(series.p50.some((v: number | null) => v !== null)).toBe(true);
    expect(series.p99.some((v: number | null) => v !== null)).toBe(true);
    expect(sum(series.errors.no_responders)).toBe(1);
    expect(sum(series.errors.bad_request)).toBe(1);
    expect(body.apps.find((a: { app: string }) => a.app === "liveapp")).not.toHaveProperty("traffic");
  });
});

describe("GET /v1/admin/channels", () => {
  it("lists active channels with their subscribers, seq and retained value", async () => {
    const { status, body } = await s.admin("GET", "/v1/admin/channels");
    expect(status).toBe(200);
    const prices = body.channels.find((c: { channel: string }) => c.channel === "live/prices");
    expect(prices).toMatchObject({
      subscribers: 2,
      apps: [{ app: "liveapp", subscribers: 2 }],
      seq: 1,
      retained: { data: "42", seq: 1, from: { jid: caller.welcome.jid } },
    });
  });
});

describe("GET /v1/admin/apps/:app/blocks", () => {
  it("lists each block with the methods it serves and the channels it subscribes to", async () => {
    const { status, body } = await s.admin("GET", "/v1/admin/apps/liveapp/blocks");
    expect(status).toBe(200);
    expect(body.blocks).toEqual([
      expect.objectContaining({ resource: "default1", kind: "default", methods: ["status", "sum"], channels: ["live/prices"] }),
      expect.objectContaining({ resource: "webuo1", kind: "webuo", channels: ["live/prices"] }),
    ]);
    expect(body.blocks[1].methods).toBeUndefined();
    expect((await s.admin("GET", "/v1/admin/apps/Bad%20App/blocks")).status).toBe(400);
  });
});
