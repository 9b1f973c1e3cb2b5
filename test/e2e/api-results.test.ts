import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import type { Block, Received } from "../support/ws-client";

// Nexus API over real WebSockets against the real edge: exactly one api.result per call, whatever
// happens to the call (refusal, timeout, duplicate or stray answers, either side leaving), many
// calls in flight on one socket, and malformed frames.

const OWNER = "ownerR";

let s: TestStack;
let appSeq = 0;
let idSeq = 0;

beforeAll(async () => {
  s = await startStack();
});

afterAll(() => s?.stop());

async function freshApp(owner = OWNER): Promise<string> {
  const app = `eres-${++appSeq}`;
  await s.createApp(app, owner);
  return app;
}

async function open(uid: string, app: string, kind: string): Promise<Block> {
  return s.open(uid, app, { kind });
}

async function worker(app: string, methods: string[]): Promise<Block> {
  const b = await open(OWNER, app, "default");
  expect(await b.request({ t: "serve", id: "s1", methods })).toEqual({ t: "ack", id: "s1" });
  return b;
}

/** Sends a marker that is answered at once and asserts it is the very next frame: nothing came in between. */
async function expectNothingPending(b: Block): Promise<void> {
  const id = `m${++idSeq}`;
  b.send({ t: "find", id });
  expect(await b.next()).toMatchObject({ t: "find.result", id });
}

/** A call that must be answered once, without waiting for any timeout, and by nothing else. */
async function onlyResult(b: Block, fields: Record<string, unknown>): Promise<Received> {
  const id = `c${++idSeq}`;
  b.send({ t: "api", id, ...fields });
  const result = await b.next();
  expect(result).toMatchObject({ t: "api.result", id, ok: false });
  await expectNothingPending(b);
  return result;
}

describe("refusals come back at once, exactly once", () => {
  it("no_responders, not_a_worker, not_found and forbidden", async () => {
    const app = await freshApp();
    const front = await open(OWNER, app, "webuo");
    const caller = await open(OWNER, app, "default");
    const stranger = await open("stranger", await freshApp("stranger"), "default");
    const cases: [Block, Record<string, unknown>, string][] = [
      [caller, { app, method: "none", data: null }, "no_responders"],
      [caller, { app, method: "none", data: null, resource: front.welcome.from.resource }, "not_a_worker"],
      [caller, { app: "no-such-app", method: "none", data: null }, "not_found"],
      [stranger, { app, method: "none", data: null }, "forbidden"],
    ];
    for (const [from, fields, expected] of cases) {
      const r = await onlyResult(from, { timeoutMs: 30_000, ...fields });
      expect(r.error).toEqual({ code: expected, message: expect.any(String) });
    }
  });
});

describe("timeouts", () => {
  it("announces apiTimeoutMs 30000, fails an unanswered call with timeout, accepts a timeoutMs above the limit", async () => {
    const app = await freshApp();
    const w = await worker(app, ["slow", "echo"]);
    const caller = await open(OWNER, app, "webuo");
    expect(caller.welcome.limits.apiTimeoutMs).toBe(30_000);

    caller.send({ t: "api", id: "late", app, method: "slow", data: null, timeoutMs: 300 });
    const req = await w.next((f) => f.t === "api.req");
    expect(await caller.next((f) => f.id === "late")).toEqual({
      t: "api.result",
      id: "late",
      ok: false,
      error: { code: "timeout", message: expect.any(String) },
    });
    // An answer after the timeout is dropped: the worker hears nothing back and the caller gets nothing more.
    w.send({ t: "api.res", rid: req.rid, ok: true, data: "too late" });
    await expectNothingPending(w);
    await expectNothingPending(caller);

    // The same through another app's object: the target app's timer answers.
    const remote = await open(OWNER, await freshApp("someoneElse"), "webuo");
    remote.send({ t: "api", id: "late", app, method: "slow", data: null, timeoutMs: 300 });
    await w.next((f) => f.t === "api.req");
    expect(await remote.next()).toMatchObject({ t: "api.result", id: "late", ok: false, error: { code: "timeout" } });

    caller.send({ t: "api", id: "big", app, method: "echo", data: 7, timeoutMs: 99_999 });
    const echo = await w.next((f) => f.t === "api.req");
    w.send({ t: "api.res", rid: echo.rid, ok: true, data: echo.data });
    expect(await caller.next()).toMatchObject({ t: "api.result", id: "big", ok: true, data: 7 });
  });
});

describe("stray answers", () => {
  it("drops a second api.res for the same rid: the caller's next frame is its next call's result", async () => {
    const app = await freshApp();
    const w = await worker(app, ["twice"]);
    const caller = await open(OWNER, app, "webuo");
    caller.send({ t: "api", id: "one", app, method: "twice", data: null });
    const req = await w.next((f) => f.t === "api.req");
    w.send({ t: "api.res", rid: req.rid, ok: true, data: "first" });
    w.send({ t: "api.res", rid: req.rid, ok: true, data: "second" });
    expect(await caller.next()).toMatchObject({ t: "api.result", id: "one", data: "first" });

    caller.send({ t: "api", id: "two", app, method: "twice", data: null });
    const req2 = await w.next();
    expect(req2).toMatchObject({ t: "api.req", method: "twice" });
    w.send({ t: "api.res", rid: req2.rid, ok: true, data: "next" });
    expect(await caller.next()).toMatchObject({ t: "api.result", id: "two", data: "next" });
  });

  it("drops an api.res for an unknown or foreign rid silently", async () => {
    const app = await freshApp();
    const w = await worker(app, ["x"]);
    const other = await worker(app, ["x"]);
    const caller = await open(OWNER, app, "webuo");
    w.send({ t: "api.res", rid: "never-issued", ok: true, data: null });
    await expectNothingPending(w);

    // A call routed to `other`: `w` answering its rid is foreign and must not settle it.
    caller.send({ t: "api", id: "f", app, method: "x", data: null, resource: other.welcome.from.resource });
    const req = await other.next((f) => f.t === "api.req");
    w.send({ t: "api.res", rid: req.rid, ok: true, data: "impostor" });
    await expectNothingPending(w);
    other.send({ t: "api.res", rid: req.rid, ok: true, data: "real" });
    expect(await caller.next()).toMatchObject({ t: "api.result", id: "f", data: "real", from: other.welcome.from });
  });
});

describe("either side leaving", () => {
  // A caller of another app reaches the worker through an RPC between app objects: both paths must hold.
  const callerApp = async (app: string, where: "same app" | "other app") =>
    where === "same app" ? app : freshApp("someoneElse");

  for (const where of ["same app", "other app"] as const) {
    it(`a caller (${where}) that disconnects cancels its calls; the worker's late answer is dropped and it serves on`, async () => {
      const app = await freshApp();
      const w = await worker(app, ["job"]);
      const leaver = await open(OWNER, await callerApp(app, where), "webuo");
      leaver.send({ t: "api", id: "c1", app, method: "job", data: "abandoned" });
      const req = await w.next((f) => f.t === "api.req");
      await leaver.close();
      w.send({ t: "api.res", rid: req.rid, ok: true, data: "nobody listens" });

      const caller = await open(OWNER, await callerApp(app, where), "webuo");
      caller.send({ t: "api", id: "c1", app, method: "job", data: "fresh" });
      const next = await w.next();
      expect(next).toMatchObject({ t: "api.req", data: "fresh" });
      w.send({ t: "api.res", rid: next.rid, ok: true, data: "done" });
      expect(await caller.next()).toMatchObject({ t: "api.result", id: "c1", ok: true, data: "done" });
    });

    for (const how of ["close", "terminate"] as const) {
      it(`a worker that leaves mid-call (${how}, caller in ${where}) fails its calls with worker_gone, long before the timeout`, async () => {
        const app = await freshApp();
        const w = await worker(app, ["work"]);
        const caller = await open(OWNER, await callerApp(app, where), "webuo");
        caller.send({ t: "api", id: "a", app, method: "work", data: null, timeoutMs: 30_000 });
        caller.send({ t: "api", id: "b", app, method: "work", data: null, timeoutMs: 30_000 });
        await w.next((f) => f.t === "api.req");
        await w.next((f) => f.t === "api.req");
        if (how === "close") w.ws.close();
        else w.ws.terminate();
        const results = [await caller.next(undefined, 10_000), await caller.next(undefined, 10_000)];
        expect(results.map((r) => r.id).sort()).toEqual(["a", "b"]);
        for (const r of results)
          expect(r).toEqual({
            t: "api.result",
            id: r.id,
            ok: false,
            error: { code: "worker_gone", message: expect.any(String) },
          });
        await expectNothingPending(caller);
      });
    }
  }

  it("a worker replaced by a new connection with its JID (4009) fails its calls with worker_gone", async () => {
    const app = await freshApp();
    const first = await s.open(OWNER, app, { resource: "defaultSame" });
    expect(await first.request({ t: "serve", id: "s1", methods: ["work"] })).toEqual({ t: "ack", id: "s1" });
    const caller = await open(OWNER, app, "webuo");
    caller.send({ t: "api", id: "a", app, method: "work", data: null, timeoutMs: 30_000 });
    await first.next((f) => f.t === "api.req");
    await s.open(OWNER, app, { resource: "defaultSame" });
    expect((await first.closed).code).toBe(4009);
    expect(await caller.next(undefined, 10_000)).toMatchObject({
      t: "api.result",
      id: "a",
      ok: false,
      error: { code: "worker_gone" },
    });
    // The new connection starts with no serve set: it gets no calls until it serves.
    expect(await caller.request({ t: "api", id: "b", app, method: "work", data: null })).toMatchObject({
      ok: false,
      error: { code: "no_responders" },
    });
  });
});

describe("many calls in flight", () => {
  it("matches 200 concurrent calls on one socket by id when the worker answers in reverse", async () => {
    const app = await freshApp();
    const w = await worker(app, ["square"]);
    const caller = await open(OWNER, app, "webuo");
    const N = 200;
    for (let i = 0; i < N; i++) caller.send({ t: "api", id: `q${i}`, app, method: "square", data: i });
    const reqs: Received[] = [];
    for (let i = 0; i < N; i++) reqs.push(await w.next((f) => f.t === "api.req"));
    expect(new Set(reqs.map((r) => r.rid)).size).toBe(N);
    for (const r of [...reqs].reverse()) w.send({ t: "api.res", rid: r.rid, ok: true, data: r.data * r.data });

    const seen = new Map<string, unknown>();
    for (let i = 0; i < N; i++) {
      const r = await caller.next();
      expect(r.t).toBe("api.result");
      expect(seen.has(r.id)).toBe(false);
      seen.set(r.id, r.data);
    }
    for (let i = 0; i < N; i++) expect(seen.get(`q${i}`)).toBe(i * i);
    await expectNothingPending(caller);
  });
});

describe("malformed api frames", () => {
  it("get an error frame with the id and bad_request, and the connection stays", async () => {
    const app = await freshApp();
    const w = await worker(app, ["ok"]);
    const caller = await open(OWNER, app, "webuo");
    const bad: Record<string, unknown>[] = [
      { t: "api", id: "b1", app, data: null },
      { t: "api", id: "b2", app, method: "has space", data: null },
      { t: "api", id: "b3", app, method: "x".repeat(129), data: null },
      { t: "api", id: "b4", app, method: 42, data: null },
      { t: "api", id: "b5", app, method: "ok", data: null, timeoutMs: -5 },
      { t: "api", id: "b6", app, method: "ok", data: null, timeoutMs: "soon" },
      { t: "api", id: "b7", method: "ok", data: null },
      { t: "api", id: "b8", app, method: "ok", data: null, resource: "notakind1" },
    ];
    for (const frame of bad) {
      expect(await caller.request(frame as { id: string })).toEqual({
        t: "error",
        id: frame.id,
        code: "bad_request",
        message: expect.any(String),
      });
    }
    for (const raw of ['["api","c1"]', '"api"', "not json"]) {
      caller.send(raw);
      expect(await caller.next()).toEqual({ t: "error", code: "bad_request", message: expect.any(String) });
    }
    // Nothing reached the worker, and both sockets still work.
    caller.send({ t: "api", id: "good", app, method: "ok", data: 1 });
    const req = await w.next();
    expect(req).toMatchObject({ t: "api.req", method: "ok", data: 1 });
    w.send({ t: "api.res", rid: req.rid, ok: true, data: 2 });
    expect(await caller.next()).toMatchObject({ t: "api.result", id: "good", ok: true, data: 2 });
  });
});
