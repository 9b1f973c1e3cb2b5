import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import type { Block, Received } from "../support/ws-client";

// Nexus API over real WebSockets against the real edge (workerd): frame shapes, the round-robin
// pool, `serve` semantics, targeting and permission. Each test uses its own app, so pools never mix.

const OWNER = "ownerA";

let s: TestStack;
let appSeq = 0;
let idSeq = 0;

beforeAll(async () => {
  s = await startStack();
});

afterAll(() => s?.stop());

async function freshApp(owner = OWNER): Promise<string> {
  const app = `eapi-${++appSeq}`;
  await s.createApp(app, owner);
  return app;
}

async function open(uid: string, app: string, kind: string): Promise<Block> {
  return s.open(uid, app, { kind });
}

async function serve(b: Block, methods: string[]): Promise<void> {
  const id = `s${++idSeq}`;
  expect(await b.request({ t: "serve", id, methods })).toEqual({ t: "ack", id });
}

/** A worker that answers every api.req with its own resource and the method it was asked. */
async function responder(uid: string, app: string, methods: string[]): Promise<Block> {
  const b = await open(uid, app, "default");
  b.ws.on("message", (raw) => {
    const f = JSON.parse(String(raw)) as Received;
    if (f.t === "api.req")
      b.send({ t: "api.res", rid: f.rid, ok: true, data: { by: b.welcome.from.resource, method: f.method } });
  });
  await serve(b, methods);
  return b;
}

function call(b: Block, fields: Record<string, unknown>): Promise<Received> {
  return b.request({ t: "api", id: `c${++idSeq}`, ...fields });
}

const code = (r: Received): string | undefined => r.error?.code;

describe("frames", () => {
  it("api.req carries the caller's stamp and api.result the worker's, with exactly the contract's fields", async () => {
    const app = await freshApp();
    const worker = await open(OWNER, app, "default");
    await serve(worker, ["sum"]);
    const caller = await open("user2", app, "webuo");
    expect(worker.welcome.from.role).toBe("owner");
    expect(caller.welcome.from.role).toBe("user");

    // A client-sent `from` is ignored: the server stamps the real sender.
    caller.send({ t: "api", id: "c1", app, method: "sum", data: { a: 1, b: 2 }, from: { jid: "forged" } });
    const req = await worker.next((f) => f.t === "api.req");
    expect(req).toEqual({
      t: "api.req",
      rid: expect.any(String),
      method: "sum",
      from: caller.welcome.from,
      data: { a: 1, b: 2 },
    });

    worker.send({ t: "api.res", rid: req.rid, ok: true, data: { sum: 3 } });
    expect(await caller.next((f) => f.id === "c1")).toEqual({
      t: "api.result",
      id: "c1",
      ok: true,
      data: { sum: 3 },
      from: worker.welcome.from,
    });
  });

  it("a worker's ok:false keeps app_error and bad_request; any other code reaches the caller as app_error", async () => {
    const app = await freshApp();
    const worker = await open(OWNER, app, "default");
    await serve(worker, ["fail"]);
    const caller = await open(OWNER, app, "webuo");
    const cases = [
      { sent: "app_error", seen: "app_error" },
      { sent: "bad_request", seen: "bad_request" },
      // A worker cannot pass for the server: these would make callers retry, or blame the wrong party.
      { sent: "no_responders", seen: "app_error" },
      { sent: "worker_gone", seen: "app_error" },
      { sent: "timeout", seen: "app_error" },
      { sent: "forbidden", seen: "app_error" },
      { sent: "out_of_stock", seen: "app_error" },
    ];
    for (const { sent, seen } of cases) {
      const id = `c${++idSeq}`;
      caller.send({ t: "api", id, app, method: "fail", data: null });
      const req = await worker.next((f) => f.t === "api.req");
      worker.send({ t: "api.res", rid: req.rid, ok: false, error: { code: sent, message: `said ${sent}` } });
      expect(await caller.next((f) => f.id === id)).toEqual({
        t: "api.result",
        id,
        ok: false,
        error: { code: seen, message: `said ${sent}` },
      });
    }
  });
});

describe("round-robin pool", () => {
  it("spreads untargeted calls evenly over the owner's workers and never uses another uid's worker", async () => {
    const app = await freshApp();
    const owners = [
      await responder(OWNER, app, ["fair"]),
      await responder(OWNER, app, ["fair"]),
      await responder(OWNER, app, ["fair"]),
    ];
    const stranger = await responder("user2", app, ["fair"]);
    const caller = await open("user3", app, "webuo");

    const M = 31;
    const results = await Promise.all(Array.from({ length: M }, () => call(caller, { app, method: "fair", data: null })));
    const counts = new Map<string, number>();
    for (const r of results) {
      expect(r.ok).toBe(true);
      counts.set(r.from.resource, (counts.get(r.from.resource) ?? 0) + 1);
    }
    expect(counts.get(stranger.welcome.from.resource)).toBeUndefined();
    for (const w of owners) {
      const n = counts.get(w.welcome.from.resource) ?? 0;
      expect(Math.abs(n - M / owners.length)).toBeLessThanOrEqual(1);
    }
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(M);
  });

  it('"*" serves every method', async () => {
    const app = await freshApp();
    const worker = await responder(OWNER, app, ["*"]);
    const caller = await open(OWNER, app, "webuo");
    for (const method of ["anything", "deep/path.v2:get", "x-y_z"]) {
      const r = await call(caller, { app, method, data: null });
      expect(r).toMatchObject({ ok: true, data: { by: worker.welcome.from.resource, method } });
    }
  });

  it("each serve replaces the previous set, [] stops serving, and a worker that never served gets nothing", async () => {
    const app = await freshApp();
    const silent = await open(OWNER, app, "default");
    const caller = await open(OWNER, app, "webuo");
    expect(code(await call(caller, { app, method: "a", data: null }))).toBe("no_responders");

    const worker = await responder(OWNER, app, ["a"]);
    expect(await call(caller, { app, method: "a", data: null })).toMatchObject({ ok: true, data: { method: "a" } });
    await serve(worker, ["b"]);
    expect(code(await call(caller, { app, method: "a", data: null }))).toBe("no_responders");
    expect(await call(caller, { app, method: "b", data: null })).toMatchObject({ ok: true, data: { method: "b" } });
    await serve(worker, []);
    expect(code(await call(caller, { app, method: "b", data: null }))).toBe("no_responders");
    expect(silent.queued()).toEqual([]);
  });

  it("a frontend's serve is refused with not_a_worker and its id", async () => {
    const app = await freshApp();
    for (const kind of ["webuo", "webxo"]) {
      const front = await open(OWNER, app, kind);
      expect(await front.request({ t: "serve", id: "s1", methods: ["x"] })).toMatchObject({
        t: "error",
        id: "s1",
        code: "not_a_worker",
      });
    }
  });
});

describe("targeting", () => {
  it("resource names one worker; a frontend is not_a_worker; offline or not serving is no_responders", async () => {
    const app = await freshApp();
    const w1 = await responder(OWNER, app, ["t"]);
    const w2 = await responder(OWNER, app, ["t"]);
    const front = await open(OWNER, app, "webuo");
    const caller = await open("user2", app, "webuo");
    for (let i = 0; i < 4; i++) {
      const r = await call(caller, { app, method: "t", data: null, resource: w2.welcome.from.resource });
      expect(r.from).toEqual(w2.welcome.from);
    }
    expect(code(await call(caller, { app, method: "t", data: null, resource: front.welcome.from.resource }))).toBe(
      "not_a_worker",
    );
    expect(code(await call(caller, { app, method: "t", data: null, resource: "defaultNobody" }))).toBe("no_responders");
    expect(code(await call(caller, { app, method: "other", data: null, resource: w1.welcome.from.resource }))).toBe(
      "no_responders",
    );
  });

  it("uid + resource reaches a user's own worker, only from that uid or the app's owner", async () => {
    const app = await freshApp();
    const own = await responder("user2", app, ["mine"]);
    expect(own.welcome.from.role).toBe("user");
    const target = { app, method: "mine", data: null, uid: "user2", resource: own.welcome.from.resource };

    const self = await open("user2", app, "webuo");
    expect((await call(self, target)).from).toEqual(own.welcome.from);
    const ownerFromAnotherApp = await open(OWNER, await freshApp("someoneElse"), "webuo");
    expect((await call(ownerFromAnotherApp, target)).from).toEqual(own.welcome.from);
    const owner = await open(OWNER, app, "webuo");
    expect((await call(owner, target)).from).toEqual(own.welcome.from);

    const sameAppOther = await open("user3", app, "default");
    expect(code(await call(sameAppOther, target))).toBe("forbidden");
    await s.admin("PUT", `/v1/admin/apps/${app}/grants/user4`, { kind: "purchase" });
    const granted = await open("user4", await freshApp("user4"), "webuo");
    expect(code(await call(granted, target))).toBe("forbidden");
  });

  it("uid alone round-robins over that uid's workers; untargeted calls never reach them", async () => {
    const app = await freshApp();
    const u1 = await responder("user2", app, ["mine"]);
    const u2 = await responder("user2", app, ["mine"]);
    const self = await open("user2", app, "webuo");
    const counts = new Map<string, number>();
    for (let i = 0; i < 6; i++) {
      const r = await call(self, { app, method: "mine", data: null, uid: "user2" });
      counts.set(r.from.resource, (counts.get(r.from.resource) ?? 0) + 1);
    }
    expect(counts).toEqual(
      new Map([
        [u1.welcome.from.resource, 3],
        [u2.welcome.from.resource, 3],
      ]),
    );
    expect(code(await call(self, { app, method: "mine", data: null }))).toBe("no_responders");
    const other = await open("user3", app, "webuo");
    expect(code(await call(other, { app, method: "mine", data: null, uid: "user2" }))).toBe("forbidden");
  });
});

describe("permission", () => {
  it("cross-app calls need ownership or a grant, checked on every call: grant, call, revoke, forbidden", async () => {
    const app = await freshApp();
    await responder(OWNER, app, ["p"]);
    const stranger = await open("stranger", await freshApp("stranger"), "default");
    expect(code(await call(stranger, { app, method: "p", data: null }))).toBe("forbidden");

    expect((await s.admin("PUT", `/v1/admin/apps/${app}/grants/stranger`, {})).status).toBe(200);
    expect(await call(stranger, { app, method: "p", data: null })).toMatchObject({ ok: true });
    expect((await s.admin("DELETE", `/v1/admin/apps/${app}/grants/stranger`)).status).toBe(200);
    expect(code(await call(stranger, { app, method: "p", data: null }))).toBe("forbidden");

    expect((await s.admin("PUT", `/v1/admin/apps/${app}/grants/stranger`, { kind: "purchase" })).status).toBe(200);
    expect(await call(stranger, { app, method: "p", data: null })).toMatchObject({ ok: true });

    // The owner is allowed from a block of any app.
    const ownerElsewhere = await open(OWNER, await freshApp("someoneElse"), "webxo");
    expect(await call(ownerElsewhere, { app, method: "p", data: null })).toMatchObject({ ok: true });
  });

  it("checks not_found, then forbidden, then the target, so a caller without access learns nothing", async () => {
    const app = await freshApp();
    const front = await open(OWNER, app, "webuo");
    const stranger = await open("stranger", await freshApp("stranger"), "default");
    expect(code(await call(stranger, { app: "no-such-app", method: "p", data: null }))).toBe("not_found");
    // Nobody serves "p" and the named target is a frontend, yet the answer is forbidden.
    expect(code(await call(stranger, { app, method: "p", data: null }))).toBe("forbidden");
    expect(code(await call(stranger, { app, method: "p", data: null, resource: front.welcome.from.resource }))).toBe("forbidden");
    expect(code(await call(stranger, { app, method: "p", data: null, resource: "defaultOff" }))).toBe("forbidden");
    // With access, the same calls learn the target's state.
    const member = await open("member", app, "webuo");
    expect(code(await call(member, { app, method: "p", data: null }))).toBe("no_responders");
    expect(code(await call(member, { app, method: "p", data: null, resource: front.welcome.from.resource }))).toBe(
      "not_a_worker",
    );
  });
});
