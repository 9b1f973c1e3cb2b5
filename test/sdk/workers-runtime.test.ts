import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";

// The SDK inside a Worker (real workerd through Miniflare): the same ESM build that browsers load, with
// the runtime's own WebSocket client, talking to the real edge.

const WORKER = `
import { connect } from "@qe/nexus-sdk";
export default {
  async fetch(request) {
    const q = new URL(request.url).searchParams;
    try {
      const nx = await connect({ url: q.get("edge"), token: q.get("token"), kind: "default" });
      const answer = await nx.api(q.get("app"), "sum", { a: 40, b: 2 });
      const found = await nx.find({ kind: "default" });
      await nx.close();
      return Response.json({ jid: nx.jid, answer, found: found.map((b) => b.jid) });
    } catch (err) {
      return Response.json({ code: err.code, message: err.message }, { status: 500 });
    }
  },
};
`;

let s: TestStack;
let mf: Miniflare | undefined;

beforeAll(async () => {
  s = await startStack();
  await s.createApp("sdkwk", "owner1");
  const bundled = await build({
    stdin: { contents: WORKER, resolveDir: process.cwd(), loader: "js" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    // What wrangler does: the runtime's conditions, so the SDK's never-run `import("ws")` gets ws's browser stub.
    conditions: ["source", "workerd", "worker", "browser"],
    write: false,
  });
  mf = new Miniflare({ modules: true, script: bundled.outputFiles[0]!.text, compatibilityDate: "2025-04-01" });
});

afterAll(async () => {
  await mf?.dispose();
  await s?.stop();
});

describe("the SDK in a Worker", () => {
  it("connects with the runtime's WebSocket, calls a worker and finds blocks", async () => {
    const { connect } = await import("@qe/nexus-sdk");
    const worker = await connect({ url: s.httpUrl, token: await s.token({ uid: "owner1", app: "sdkwk" }), kind: "default" });
    await worker.serve("sum", ({ a, b }: { a: number; b: number }) => a + b);
    const token = await s.token({ uid: "owner1", app: "sdkwk" });
    const q = new URLSearchParams({ edge: s.httpUrl, token, app: "sdkwk" });
    const res = await mf!.dispatchFetch(`http://worker/?${q}`);
    const body = (await res.json()) as { jid: string; answer: number; found: string[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.answer).toBe(42);
    expect(body.found).toEqual(expect.arrayContaining([worker.jid, body.jid]));
    await worker.close();
  });
});
