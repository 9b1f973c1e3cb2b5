import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import type { Block, Received } from "../support/ws-client";

// The rate limits per user and per app, beside each connection's own, decided before a frame is
// parsed: what the refused frames get, that nobody is closed for a busy user or app, and that other
// users and apps keep their share. Buckets refill at 1 frame per 10 s, so a burst sent at once is counted
// against the burst size (plus at most a token or two refilled while it is sent).

let s: TestStack;
let appSeq = 0;

beforeAll(async () => {
  s = await startStack({
    vars: {
      NEXUS_USER_RATE_PER_SEC: "0.1",
      NEXUS_USER_RATE_BURST: "10",
      NEXUS_APP_RATE_PER_SEC: "0.1",
      NEXUS_APP_RATE_BURST: "25",
    },
  });
});

afterAll(() => s?.stop());

async function freshApp(): Promise<string> {
  const app = `rates-${++appSeq}`;
  await s.createApp(app, "owner");
  return app;
}

/** Sends `n` finds at once from each block; answers the answers, each block's in order. */
async function burst(blocks: Block[], n: number): Promise<Received[]> {
  const waits: Promise<Received>[] = [];
  for (const [k, b] of blocks.entries()) {
    for (let i = 0; i < n; i++) {
      const id = `f${k}-${i}-${Math.random().toString(36).slice(2, 6)}`;
      b.send({ t: "find", id });
      waits.push(b.next((f) => f.id === id));
    }
  }
  return Promise.all(waits);
}

const results = (answers: Received[]) => answers.filter((f) => f.t === "find.result").length;
const refusals = (answers: Received[]) => answers.filter((f) => f.t === "error");

describe("rate limits per user and per app", () => {
  it("bounds one user's blocks together, refuses the rest with rate_limited, closes nobody, and spares another user", async () => {
    const app = await freshApp();
    const a = await s.open("u1", app, { kind: "webuo" });
    const b = await s.open("u1", app, { kind: "webuo" });
    const answers = await burst([a, b], 8);
    expect(results(answers)).toBeGreaterThanOrEqual(10);
    expect(results(answers)).toBeLessThanOrEqual(11);
    for (const e of refusals(answers))
      expect(e).toMatchObject({ code: "rate_limited", message: expect.stringContaining("user") });
    const other = await s.open("u2", app, { kind: "webuo" });
    expect(results(await burst([other], 3))).toBe(3);
    expect(a.ws.readyState).toBe(a.ws.OPEN);
    expect(b.ws.readyState).toBe(b.ws.OPEN);
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  it("bounds an app's users together, while another app keeps its own share", async () => {
    const app = await freshApp();
    const blocks = await Promise.all(["v1", "v2", "v3", "v4", "v5"].map((uid) => s.open(uid, app, { kind: "webuo" })));
    const answers = await burst(blocks, 8);
    expect(results(answers)).toBeGreaterThanOrEqual(25);
    expect(results(answers)).toBeLessThanOrEqual(26);
    for (const e of refusals(answers)) expect(e).toMatchObject({ code: "rate_limited", message: expect.stringContaining("app") });
    const elsewhere = await s.open("w1", await freshApp(), { kind: "webuo" });
    expect(results(await burst([elsewhere], 5))).toBe(5);
    await Promise.all([...blocks, elsewhere].map((b) => b.close()));
  });

  it("lets a worker's answers through beyond its user's burst: answers are bounded by the calls sent to it", async () => {
    const app = await freshApp();
    const worker = await s.open("owner", app, { kind: "default" });
    worker.ws.on("message", (raw) => {
      const f = JSON.parse(String(raw)) as Received;
      if (f.t === "api.req") worker.send({ t: "api.res", rid: f.rid, ok: true, data: f.data });
    });
    expect(await worker.request({ t: "serve", id: "v", methods: ["echo"] })).toMatchObject({ t: "ack" });
    const callers = await Promise.all(["c1", "c2"].map((uid) => s.open(uid, app, { kind: "webuo" })));
    const waits: Promise<Received>[] = [];
    for (const [k, c] of callers.entries()) {
      for (let i = 0; i < (k === 0 ? 8 : 7); i++) {
        c.send({ t: "api", id: `a${i}`, app, method: "echo", data: i });
        waits.push(c.next((f) => f.id === `a${i}`));
      }
    }
    // 15 answers from one user whose own burst is 10: every call succeeds.
    const answers = await Promise.all(waits);
    expect(answers.map((a) => a.ok)).toEqual(answers.map(() => true));
    await Promise.all([worker, ...callers].map((b) => b.close()));
  });

  it("refuses before parsing: a frame past the limit gets rate_limited even when it is not JSON", async () => {
    const app = await freshApp();
    const b = await s.open("u1", app, { kind: "webuo" });
    const answers = await burst([b], 12);
    expect(refusals(answers).length).toBeGreaterThan(0);
    b.send("{not json");
    expect(await b.next((f) => f.t === "error")).toMatchObject({ code: "rate_limited" });
    await b.close();
  });
});
