import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { openBlock } from "../support/ws-client";

describe("registry routes", () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s?.stop());

  it("requires the admin key", async () => {
    const none = await fetch(`${s.httpUrl}/v1/admin/apps/x`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: "unauthorized", message: expect.stringContaining("required") } });
    const wrong = await fetch(`${s.httpUrl}/v1/admin/apps/x`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { code: "unauthorized", message: "wrong admin key" } });
  });

  it("creates, re-owns, grants, revokes and reports an app", async () => {
    expect((await s.admin("GET", "/v1/admin/apps/etest")).status).toBe(404);
    expect(await s.admin("PUT", "/v1/admin/apps/etest", { owner: "682ebf741c055d80a4f15f8b" })).toMatchObject({
      status: 200,
      body: { app: "etest", owner: "682ebf741c055d80a4f15f8b", grants: [] },
    });
    expect((await s.admin("PUT", "/v1/admin/apps/etest/grants/buyer1", { kind: "purchase" })).body.grants).toEqual([
      { uid: "buyer1", kind: "purchase" },
    ]);
    expect((await s.admin("PUT", "/v1/admin/apps/etest/grants/getter")).body.grants).toContainEqual({
      uid: "getter",
      kind: "get",
    });
    const b = await openBlock(s.connectUrlFor(await s.token({ uid: "buyer1", app: "etest" }), { kind: "webuo" }));
    expect((await s.admin("GET", "/v1/admin/apps/etest")).body).toMatchObject({ online: 1 });
    await b.close();
    expect((await s.admin("DELETE", "/v1/admin/apps/etest/grants/buyer1")).body.grants).toEqual([{ uid: "getter", kind: "get" }]);
    expect((await s.admin("PUT", "/v1/admin/apps/etest", { owner: "newowner" })).body.owner).toBe("newowner");
    expect((await s.admin("GET", "/v1/admin/apps")).body.apps.map((a: any) => a.app)).toContain("etest");
  });

  it("refuses bad input with 400 and unknown apps with 404", async () => {
    expect((await s.admin("PUT", "/v1/admin/apps/Bad App", { owner: "u" })).status).toBe(400);
    expect((await s.admin("PUT", "/v1/admin/apps/ok", { owner: "not a uid" })).status).toBe(400);
    expect((await s.admin("PUT", "/v1/admin/apps/ok", "not an object")).status).toBe(400);
    expect((await s.admin("PUT", "/v1/admin/apps/ghost/grants/u1")).status).toBe(404);
    expect((await s.admin("PUT", "/v1/admin/apps/etest/grants/u1", { kind: "steal" })).status).toBe(400);
    expect((await s.admin("POST", "/v1/admin/tokens", { uid: "u1" })).status).toBe(400);
    const robot = await s.admin("POST", "/v1/admin/tokens", { uid: "u1", app: "a", kinds: ["default", "robot"] });
    expect(robot.status).toBe(400);
    expect(robot.body.error.message).toMatch(/^unknown kind "robot"; kinds: uservice/);
    expect((await s.admin("POST", "/v1/admin/tokens", { uid: "u1", app: "a", ttlSeconds: -5 })).status).toBe(400);
    const unknown = await s.admin("GET", "/v1/nothing-here");
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  it("answers an error before reading the body without resetting the keep-alive connection", async () => {
    // One socket, reused: each bad-path PUT is answered before its body is read; the next request
    // on the same connection must still be answered (it was reset about one time in seven).
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          `${s.httpUrl}${path}`,
          { method, agent, headers: { authorization: `Bearer ${s.adminKey}` } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        statuses.push(await send("PUT", "/v1/admin/apps/Bad%20App", JSON.stringify({ owner: "u".repeat(2000) })));
        statuses.push(await send("GET", "/v1/admin/apps/etest"));
      }
      expect(statuses).toEqual(Array.from({ length: 20 }, () => [400, 200]).flat());
    } finally {
      agent.destroy();
    }
  });

  it("mints tokens whose kinds the edge enforces", async () => {
    const token = await s.token({ uid: "u9", app: "etest", kinds: ["webuo"], ttlSeconds: 60 });
    const b = await openBlock(s.connectUrlFor(token, { kind: "webuo" }));
    expect(b.welcome.from).toMatchObject({ uid: "u9", app: "etest" });
    await b.close();
  });

  it("reports connections and message rates per app", async () => {
    const b = await openBlock(s.connectUrlFor(await s.token({ uid: "u5", app: "statsapp" }), { kind: "webuo" }));
    await b.request({ t: "find", id: "x" });
    const stats = await s.admin("GET", "/v1/admin/stats");
    expect(stats.status).toBe(200);
    const row = stats.body.apps.find((a: any) => a.app === "statsapp");
    expect(row).toMatchObject({ connections: 1, messagesIn: 1 });
    expect(stats.body.totals.connections).toBeGreaterThanOrEqual(1);
    await b.close();
  });
});
