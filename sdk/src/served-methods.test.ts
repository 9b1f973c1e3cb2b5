import { describe, expect, it } from "vitest";
import { NexusError } from "./errors";
import { useFakeSession } from "./testing/fake-session";

const session = useFakeSession({ kind: "default", firstConnection: true });

const caller = {
  jid: "etest-u2-user@qepal.com/webuo1",
  app: "etest",
  uid: "u2",
  role: "user",
  resource: "webuo1",
  kind: "webuo",
};

function request(rid: string, method: string, data: unknown) {
  session.conn.send({ t: "api.req", rid, method, from: caller, data });
  return session.conn.nextFrame((f) => f.t === "api.res" && f.rid === rid);
}

describe("serve", () => {
  it("answers with the handler's value and gives it the caller", async () => {
    let seen: unknown;
    await session.nx.serve("sum", ({ a, b }: { a: number; b: number }, ctx) => {
      seen = ctx;
      return { sum: a + b };
    });
    expect(await request("r1", "sum", { a: 1, b: 2 })).toEqual({ t: "api.res", rid: "r1", ok: true, data: { sum: 3 } });
    expect(seen).toEqual({ from: caller, method: "sum", rid: "r1" });
  });

  it("answers a thrown bad_request as such and any other throw (other codes included) with app_error", async () => {
    await session.nx.serve("deny", () => {
      throw new NexusError("forbidden", "not you");
    });
    await session.nx.serve("picky", () => {
      throw new NexusError("bad_request", "a is missing");
    });
    await session.nx.serve("boom", async () => {
      throw new Error("disk full");
    });
    expect(await request("r1", "deny", null)).toEqual({
      t: "api.res",
      rid: "r1",
      ok: false,
      error: { code: "app_error", message: "not you" },
    });
    expect(await request("r3", "picky", null)).toEqual({
      t: "api.res",
      rid: "r3",
      ok: false,
      error: { code: "bad_request", message: "a is missing" },
    });
    expect(await request("r2", "boom", null)).toEqual({
      t: "api.res",
      rid: "r2",
      ok: false,
      error: { code: "app_error", message: "disk full" },
    });
  });

  it("handles many requests concurrently, each answered once", async () => {
    const gates = new Map<number, () => void>();
    await session.nx.serve("wait", (n: number) => new Promise((resolve) => gates.set(n, () => resolve(n))));
    await session.nx.serve("now", () => "now");
    for (let i = 0; i < 20; i++) session.conn.send({ t: "api.req", rid: `w${i}`, method: "wait", from: caller, data: i });
    // A fast method is not stuck behind slow ones.
    expect(await request("fast", "now", null)).toMatchObject({ ok: true, data: "now" });
    for (const [, open] of [...gates].reverse()) open();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => session.conn.nextFrame((f) => f.rid === `w${i}`)));
    expect(answers.map((f) => f.data)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await session.edge.roundTrip(session.nx, session.conn);
    expect(session.conn.frames.filter((f) => f.t === "api.res")).toHaveLength(21);
  });

  it('sends "*" for a catch-all handler and routes unknown methods to it', async () => {
    await session.nx.serve("*", (_data, ctx) => ctx.method);
    expect(session.conn.frames.at(-1)).toMatchObject({ t: "serve", methods: ["*"] });
    expect(await request("r1", "anything/else", null)).toMatchObject({ ok: true, data: "anything/else" });
  });

  it("rejects serve with the server's error and forgets the method", async () => {
    session.edge.options.autoAck = false;
    const served = session.nx.serve("sum", () => 0);
    const frame = await session.conn.nextFrame((f) => f.t === "serve");
    session.conn.send({ t: "error", id: frame.id, code: "not_a_worker", message: "webuo cannot serve" });
    await expect(served).rejects.toMatchObject({ code: "not_a_worker", retryable: false });
  });

  it("answers undefined as null", async () => {
    await session.nx.serve("void", () => undefined);
    expect(await request("r1", "void", null)).toEqual({ t: "api.res", rid: "r1", ok: true, data: null });
  });
});
