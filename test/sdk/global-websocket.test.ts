import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";

// The SDK on a runtime's own global WebSocket, as in Node.js 22+, Deno, Workers and browsers: here Node's
// (undici) WebSocket, enabled by --experimental-websocket on Node 20, in a separate process. The SDK must
// not load `ws` there, and must still learn why a connect was refused (by asking over plain HTTP).

const SDK = fileURLToPath(new URL("../../sdk/src/index.ts", import.meta.url));
const SCRIPT = `
const { connect } = await import(${JSON.stringify(SDK)});
const [url, good, bad, app] = process.argv.slice(1);
const out = { hasGlobal: typeof globalThis.WebSocket === "function" };
const nx = await connect({ url, token: good, kind: "default" });
await nx.serve("sum", ({ a, b }) => a + b);
out.sum = await nx.api(app, "sum", { a: 20, b: 22 }, { resource: nx.identity.resource });
out.jid = nx.jid;
out.refused = await connect({ url, token: bad, kind: "default" }).then(() => null, (e) => ({ code: e.code, retryable: e.retryable }));
await nx.close();
out.state = nx.state;
out.loadedWs = Object.keys(await import("node:module").then((m) => m.createRequire(import.meta.url).cache)).some((k) => k.includes("/node_modules/ws/"));
console.log(JSON.stringify(out));
`;

let s: TestStack;

beforeAll(async () => {
  s = await startStack();
  await s.createApp("sdkglobal", "owner1");
});

afterAll(async () => {
  await s?.stop();
});

describe("the SDK on a global WebSocket (undici)", () => {
  it("connects, serves and calls, and reports a refused token as unauthorized", async () => {
    const token = await s.token({ uid: "owner1", app: "sdkglobal" });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--experimental-websocket",
        "--no-warnings",
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        SCRIPT,
        s.httpUrl,
        token,
        "not-a-jwt",
        "sdkglobal",
      ],
      { timeout: 30_000 },
    );
    const out = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    expect(out).toMatchObject({
      hasGlobal: true,
      sum: 42,
      refused: { code: "unauthorized", retryable: false },
      state: "closed",
      loadedWs: false,
    });
    expect(out.jid).toMatch(/^sdkglobal-owner1-owner@qepal\.com\/default[A-Za-z0-9]{8}$/);
  });
});
