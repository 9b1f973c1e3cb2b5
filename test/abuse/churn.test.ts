import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { type Block, openBlock, type Received } from "../support/ws-client";

// Thousands of connect/disconnect cycles, each doing what real clients do in a short life (a call,
// a subscription, a publish, a call left in flight, a worker leaving mid-call, a Direct to another
// app, a Find), and then the app object's per-connection state is back where it was: read through
// the stats route, which counts every map, meter, queue, stub and stored row it keeps per block.

const CYCLES = 3000;
const LANES = 16;
const USERS = 200;
const APP = "churn";
const PEER = "churn-peer";

describe("connection churn", () => {
  let s: TestStack;
  let stable: Block;
  let peer: Block;
  const tokens = new Map<string, string>();
  /** Callers whose `hang` call reached the stable worker, by JID. */
  const hung = new Map<string, () => void>();
  let keepalive: ReturnType<typeof setInterval>;

  const token = async (uid: string, app = APP) => {
    const key = `${app}/${uid}`;
    let t = tokens.get(key);
    if (!t) {
      t = await s.token({ uid, app });
      tokens.set(key, t);
    }
    return t;
  };
  const open = async (uid: string, target: { kind: string } | { resource: string }, app = APP) =>
    openBlock(s.connectUrlFor(await token(uid, app), target));
  const state = async () => {
    const r = await s.admin("GET", `/v1/admin/apps/${APP}/stats`);
    expect(r.status).toBe(200);
    // The database file is left out: SQLite reuses freed pages but does not shrink the file.
    const { storageBytes: _file, ...held } = r.body.state as Record<string, number>;
    return held;
  };

  beforeAll(async () => {
    s = await startStack();
    await s.createApp(APP, "owner");
    await s.createApp(PEER, "owner");
    stable = await open("owner", { resource: "default0" });
    stable.ws.on("message", (raw) => {
      const f = JSON.parse(String(raw)) as Received;
      if (f.t !== "api.req") return;
      if (f.method === "echo") stable.send({ t: "api.res", rid: f.rid, ok: true, data: f.data });
      if (f.method === "hang") hung.get(f.from.jid)?.();
    });
    await stable.request({ t: "serve", id: "s", methods: ["echo", "hang"] });
    peer = await open("owner", { resource: "default0" }, PEER);
    // Workers ping (contract revision 2): the run is longer than three ping intervals.
    keepalive = setInterval(() => {
      stable.send({ t: "ping" });
      peer.send({ t: "ping" });
    }, 5_000);
    for (let i = 0; i < USERS; i++) await token(`u${i}`);
  });

  afterAll(async () => {
    clearInterval(keepalive);
    await stable?.close();
    await peer?.close();
    await s?.stop();
  });

  /** One short client life of kind `i % 7`. */
  async function cycle(i: number): Promise<void> {
    const uid = `u${i % USERS}`;
    switch (i % 7) {
      case 0: {
        const b = await open(uid, { kind: "webuo" });
        expect(await b.request({ t: "api", id: "c", app: APP, method: "echo", data: i })).toMatchObject({ ok: true, data: i });
        return b.close();
      }
      case 1: {
        const w = await open("owner", { kind: "default" });
        expect(await w.request({ t: "serve", id: "s", methods: ["work"] })).toMatchObject({ t: "ack" });
        expect(await w.request({ t: "sub", id: "j", channel: `churn/w${i % 50}` })).toMatchObject({ t: "ack" });
        return w.close();
      }
      case 2: {
        const b = await open(uid, { kind: "webuo" });
        expect(await b.request({ t: "sub", id: "j", channel: "churn/all" })).toMatchObject({ t: "ack" });
        await b.request({ t: "pub", id: "p", channel: "churn/all", data: `m${i}` });
        await b.next((f) => f.t === "msg" && f.data === `m${i}`);
        return b.close(); // without unsubscribing
      }
      case 3: {
        // A caller that leaves with its call in flight: the call is cancelled at the worker's object.
        const b = await open(uid, { kind: "webuo" });
        const reached = new Promise<void>((resolve) => hung.set(b.jid, resolve));
        b.send({ t: "api", id: "h", app: APP, method: "hang", data: i });
        await reached;
        hung.delete(b.jid);
        return b.close();
      }
      case 4: {
        // A worker that leaves with a call in flight: its caller gets worker_gone.
        const w = await open("owner", { kind: "default" });
        await w.request({ t: "serve", id: "s", methods: ["slow"] });
        const b = await open(uid, { kind: "webuo" });
        b.send({ t: "api", id: "c", app: APP, method: "slow", resource: w.welcome.from.resource, data: i });
        await w.next((f) => f.t === "api.req");
        w.ws.terminate();
        expect(await b.next((f) => f.id === "c")).toMatchObject({ ok: false, error: { code: "worker_gone" } });
        await w.closed;
        return b.close();
      }
      case 5: {
        const b = await open("owner", { kind: "webuo" });
        expect(await b.request({ t: "direct", id: "d", app: PEER, resource: "default0", data: `x${i}` })).toMatchObject({
          t: "ack",
        });
        return b.close();
      }
      default: {
        const b = await open(uid, { kind: "webuo" });
        expect(await b.request({ t: "find", id: "f" })).toMatchObject({ t: "find.result" });
        return b.close();
      }
    }
  }

  async function churn(count: number): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        while (next < count) await cycle(next++);
      }),
    );
  }

  it(`after ${CYCLES} connect/disconnect cycles the app object holds what it held before`, { timeout: 300_000 }, async () => {
    // One round of every kind first, so that what stays by design (the round-robin's place per pool)
    // is already there.
    await churn(LANES * 7);
    const before = await state();
    expect(before).toMatchObject({ sockets: 1, sessions: 1, uids: 1, workerUids: 1, pendingCalls: 0, stubs: 0, background: 0 });

    await churn(CYCLES);
    // Peer deliveries: every Direct of the churn reached the peer worker.
    const directs = (n: number) => Math.floor((n + 1) / 7); // cycles i < n with i % 7 === 5
    expect(peer.queued().filter((f) => f.t === "direct").length).toBe(directs(LANES * 7) + directs(CYCLES));
    expect(await state()).toEqual(before);
  });
});
