import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AppObject } from "../../src/app/app-object";
import { admin, connectBlock, type TestSocket, token } from "./helpers";

/** Every api.req that reaches one of the workers, in arrival order, with the index of the worker. */
function requestsTo(workers: TestSocket[]): () => Promise<{ worker: number; req: any }> {
  const arrived: { worker: number; req: any }[] = [];
  const waiting: ((r: { worker: number; req: any }) => void)[] = [];
  for (const [worker, w] of workers.entries()) {
    w.ws.addEventListener("message", (e) => {
      const req = JSON.parse(String(e.data));
      if (req.t !== "api.req") return;
      const waiter = waiting.shift();
      if (waiter) waiter({ worker, req });
      else arrived.push({ worker, req });
    });
  }
  return () => {
    const first = arrived.shift();
    return first ? Promise.resolve(first) : new Promise((resolve) => waiting.push(resolve));
  };
}

describe("an app object across its instances", () => {
  it("hands out new rids and continues the rotation in a fresh object over the same storage", async () => {
    await admin("PUT", "/v1/admin/apps/rot", { owner: "o1" });
    const tok = await token("o1", "rot");
    const workers: TestSocket[] = [];
    for (const r of ["default1", "default2", "default3"]) {
      const w = await connectBlock(tok, `resource=${r}`);
      w.send({ t: "serve", id: "s", methods: ["sum"] });
      await w.next((f) => f.id === "s");
      workers.push(w);
    }
    const client = await connectBlock(tok, "kind=webuo");
    const clientTag = `r:o1/${client.welcome.from.resource}`;
    const call = (id: string) => JSON.stringify({ t: "api", id, app: "rot", method: "sum", data: null, timeoutMs: 200 });

    // Each call goes through a new instance: nothing of the previous one is in memory, as after a wake.
    const seen: { worker: number; rid: string }[] = [];
    const nextRequest = requestsTo(workers);
    for (let i = 0; i < 6; i++) {
      await runInDurableObject(env.APP.getByName("rot"), async (_live: AppObject, state) => {
        const [socket] = state.getWebSockets(clientTag);
        void new AppObject(state, env).webSocketMessage(socket!, call(`c${i}`));
      });
      const { worker, req } = await nextRequest();
      seen.push({ worker, rid: req.rid });
    }
    expect(new Set(seen.map((s) => s.rid)).size).toBe(6);
    // Three workers, six sparse calls: each worker twice, in a steady rotation.
    const order = seen.map((s) => s.worker);
    expect(order.slice(3)).toEqual(order.slice(0, 3));
    expect(new Set(order.slice(0, 3)).size).toBe(3);
    for (let i = 0; i < 6; i++) await client.next((f) => f.id === `c${i}`);
  });

  it("drops a late answer to an earlier instance's call instead of completing a later caller's", async () => {
    await admin("PUT", "/v1/admin/apps/late", { owner: "o1" });
    const tok = await token("o1", "late");
    const worker = await connectBlock(tok, "resource=default1");
    worker.send({ t: "serve", id: "s", methods: ["sum"] });
    await worker.next((f) => f.id === "s");
    const first = await connectBlock(tok, "kind=webuo");
    const second = await connectBlock(tok, "kind=webuo");

    // The first caller's call times out in one instance...
    first.send({ t: "api", id: "a", app: "late", method: "sum", data: 1, timeoutMs: 100 });
    const stale = await worker.next((f) => f.t === "api.req");
    expect(await first.next((f) => f.id === "a")).toMatchObject({ ok: false, error: { code: "timeout" } });

    // ...a fresh instance routes the second caller's call, and the worker's late answer to the first arrives there.
    let fresh: AppObject | undefined;
    const stub = env.APP.getByName("late");
    await runInDurableObject(stub, async (_live: AppObject, state) => {
      fresh = new AppObject(state, env);
      const [callerSocket] = state.getWebSockets(`r:o1/${second.welcome.from.resource}`);
      void fresh.webSocketMessage(
        callerSocket!,
        JSON.stringify({ t: "api", id: "b", app: "late", method: "sum", data: 2, timeoutMs: 5000 }),
      );
    });
    const req = await worker.next((f) => f.t === "api.req");
    expect(req.rid).not.toBe(stale.rid);
    await runInDurableObject(stub, async (_live: AppObject, state) => {
      const [workerSocket] = state.getWebSockets("r:o1/default1");
      await fresh!.webSocketMessage(workerSocket!, JSON.stringify({ t: "api.res", rid: stale.rid, ok: true, data: "for a" }));
      await fresh!.webSocketMessage(workerSocket!, JSON.stringify({ t: "api.res", rid: req.rid, ok: true, data: "for b" }));
    });
    expect(await second.next((f) => f.id === "b")).toMatchObject({ ok: true, data: "for b" });
  });
});
