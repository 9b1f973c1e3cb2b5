import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AppObject } from "../../src/app/app-object";
import { admin, connectBlock, token } from "./helpers";

/** The tables an object's storage holds, besides the runtime's own. */
function tables(app: string): Promise<string[]> {
  return runInDurableObject(env.APP.getByName(app), (_live: AppObject, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((r) => r.name)
      .filter((n) => !n.startsWith("_cf_")),
  );
}

describe("apps nobody registered", () => {
  it("answer not_found to api, direct and find, and their objects write no storage", async () => {
    await admin("PUT", "/v1/admin/apps/known", { owner: "o1" });
    const b = await connectBlock(await token("u1", "known"), "kind=webuo");
    for (const ghost of ["ghost-a", "ghost-b", "ghost-c"]) {
      b.send({ t: "api", id: `c-${ghost}`, app: ghost, method: "m", data: null });
      expect(await b.next((f) => f.id === `c-${ghost}`)).toMatchObject({ ok: false, error: { code: "not_found" } });
      b.send({ t: "direct", id: `d-${ghost}`, app: ghost, resource: "default1", data: "x" });
      expect(await b.next((f) => f.id === `d-${ghost}`)).toMatchObject({ t: "error", code: "not_found" });
      b.send({ t: "find", id: `f-${ghost}`, app: ghost, scope: "app" });
      expect(await b.next((f) => f.id === `f-${ghost}`)).toMatchObject({ t: "error", code: "not_found" });
      b.send({ t: "find", id: `g-${ghost}`, app: ghost });
      expect(await b.next((f) => f.id === `g-${ghost}`)).toMatchObject({ t: "find.result", blocks: [] });
      expect(await tables(ghost)).toEqual([]);
    }
    expect((await admin("GET", "/v1/admin/apps/ghost-a")).status).toBe(404);
    expect(await tables("known")).toContain("registry_meta");
  });

  it("start writing once registered", async () => {
    const b = await connectBlock(await token("u1", "known"), "kind=webuo");
    b.send({ t: "api", id: "c1", app: "late", method: "m", data: null });
    expect(await b.next((f) => f.id === "c1")).toMatchObject({ ok: false, error: { code: "not_found" } });
    await admin("PUT", "/v1/admin/apps/late", { owner: "o2" });
    b.send({ t: "api", id: "c2", app: "late", method: "m", data: null });
    expect(await b.next((f) => f.id === "c2")).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await tables("late")).toEqual(expect.arrayContaining(["registry_meta", "app_meta"]));
  });
});
