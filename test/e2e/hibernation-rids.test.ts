import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import type { Block } from "../support/ws-client";

// workerd evicts an idle Durable Object after about 10 s while keeping its hibernatable sockets.
const IDLE_MS = 15_000;

describe("rids and the rotation across real hibernation", () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
    await s.createApp("dozy", "owner");
  });
  afterAll(() => s?.stop());

  const messagesIn = async () =>
    (await s.admin("GET", "/v1/admin/stats")).body.apps.find((a: any) => a.app === "dozy").messagesIn;
  /** Idleness is the condition under test, so this wait is the test's subject, not a synchronisation. */
  const sleepUntilEvicted = async () => {
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    expect(await messagesIn()).toBe(0); // a new instance: the old one's memory is gone
  };

  it("never reuses a rid and continues the rotation after the object sleeps", { timeout: 2 * IDLE_MS + 30_000 }, async () => {
    const workers: Block[] = [];
    for (const resource of ["default1", "default2", "default3"]) {
      const w = await s.open("owner", "dozy", { resource });
      await w.request({ t: "serve", id: "s", methods: ["sum"] });
      workers.push(w);
    }
    const caller = await s.open("owner", "dozy", { kind: "webuo" });
    // Every api.req any worker receives, in arrival order, with the worker's index.
    const requests: { i: number; req: any }[] = [];
    let arrived: (() => void) | undefined;
    for (const [i, w] of workers.entries()) {
      w.ws.on("message", (data) => {
        const req = JSON.parse(String(data));
        if (req.t !== "api.req") return;
        requests.push({ i, req });
        arrived?.();
      });
    }
    /** Sends a call and answers which worker got its api.req. */
    const call = async (frame: Record<string, unknown>) => {
      caller.send({ t: "api", app: "dozy", method: "sum", data: null, ...frame });
      while (requests.length === 0) await new Promise<void>((resolve) => (arrived = resolve));
      return requests.shift()!;
    };

    // 1. A call that times out: its worker holds a rid it may still answer, late.
    const first = await call({ id: "c1", timeoutMs: 500 });
    expect(await caller.next((f) => f.id === "c1")).toMatchObject({ ok: false, error: { code: "timeout" } });
    await sleepUntilEvicted();

    // 2. After the sleep, the rotation moves on to another worker, under a rid never seen before.
    const second = await call({ id: "c2" });
    expect(second.i).not.toBe(first.i);
    expect(second.req.rid).not.toBe(first.req.rid);
    workers[second.i]!.send({ t: "api.res", rid: second.req.rid, ok: true, data: "second" });
    expect(await caller.next((f) => f.id === "c2")).toMatchObject({ ok: true, data: "second" });

    // 3. The first worker's late answer cannot complete a new call sent to it.
    const third = await call({ id: "c3", resource: workers[first.i]!.welcome.from.resource });
    expect(third.i).toBe(first.i);
    expect(third.req.rid).not.toBe(first.req.rid);
    workers[first.i]!.send({ t: "api.res", rid: first.req.rid, ok: true, data: "late answer to c1" });
    workers[first.i]!.send({ t: "api.res", rid: third.req.rid, ok: true, data: "third" });
    expect(await caller.next((f) => f.id === "c3")).toMatchObject({ ok: true, data: "third" });
    await sleepUntilEvicted();

    // 4. After a second sleep the rotation reaches the third worker: sparse calls are spread, not piled on one.
    const fourth = await call({ id: "c4" });
    expect(new Set([first.i, second.i, fourth.i]).size).toBe(3);
    expect(new Set([first.req.rid, second.req.rid, third.req.rid, fourth.req.rid]).size).toBe(4);
    workers[fourth.i]!.send({ t: "api.res", rid: fourth.req.rid, ok: true, data: "fourth" });
    expect(await caller.next((f) => f.id === "c4")).toMatchObject({ ok: true, data: "fourth" });
  });
});
