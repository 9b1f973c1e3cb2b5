import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import WebSocket from "ws";
import { mintToken } from "../../src/auth/tokens";

/**
 * `npm run sim:heap` (after `npm run build`): the isolate heap one connection costs, which is what
 * counts against a Durable Object's 128 MB. It runs the built edge (`dist/index.js`) in workerd through
 * Miniflare with an inspector, opens N connections to one app object (or to the bare echo), and
 * reads the isolate's heap usage (`Runtime.getHeapUsage`: V8 heap, embedder heap, backing stores)
 * before and after. workerd's inspector does not answer `HeapProfiler.collectGarbage`, so garbage
 * not yet collected counts too: the figure is an upper bound. Options: `--connections 4000`,
 * `--target nexus|echo`.
 */
const { values } = parseArgs({
  options: { connections: { type: "string", default: "4000" }, target: { type: "string", default: "nexus" } },
});
const n = Number(values.connections);
const target = values.target === "echo" ? "echo" : "nexus";
const script = new URL("../../dist/index.js", import.meta.url).pathname;
if (!existsSync(script)) {
  console.error("dist/index.js is missing: run `npm run build` first");
  process.exit(1);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

interface HeapUsage {
  usedSize: number;
  embedderHeapUsedSize?: number;
  backingStorageSize?: number;
}

const secret = `heap-probe-${"x".repeat(32)}`;
const inspectorPort = await freePort();
const classes = { APP: "AppObject", CHANNEL: "ChannelObject", USER: "UserPresence", DIRECTORY: "Directory", ECHO: "EchoObject" };
const mf = new Miniflare({
  modules: true,
  scriptPath: script,
  modulesRoot: "/",
  compatibilityDate: "2026-04-26",
  compatibilityFlags: ["nodejs_compat"],
  durableObjects: Object.fromEntries(Object.entries(classes).map(([b, className]) => [b, { className, useSQLite: true }])),
  bindings: { NEXUS_ADMIN_KEY: "heap-probe-admin", NEXUS_JWT_SECRET: secret, NEXUS_BENCH: "1", NEXUS_DOMAIN: "qepal.com" },
  inspectorPort,
  host: "127.0.0.1",
  port: 0,
});
const sockets: WebSocket[] = [];
let inspector: WebSocket | undefined;
try {
  const url = await mf.ready;
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    title: string;
    webSocketDebuggerUrl: string;
  }[];
  const user = targets.find((t) => t.title.includes("core:user"));
  if (!user) throw new Error("no user worker among the inspector's targets");
  const ws = new WebSocket(user.webSocketDebuggerUrl);
  inspector = ws;
  await new Promise((resolve) => ws.once("open", resolve));
  let nextId = 0;
  const answers = new Map<number, (result: unknown) => void>();
  ws.on("message", (m) => {
    const msg = JSON.parse(String(m)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) answers.get(msg.id)?.(msg.result);
  });
  const call = (method: string) =>
    new Promise<unknown>((resolve) => {
      const id = ++nextId;
      answers.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params: {} }));
    });
  const heap = async () => {
    const h = (await call("Runtime.getHeapUsage")) as HeapUsage;
    return h.usedSize + (h.embedderHeapUsedSize ?? 0) + (h.backingStorageSize ?? 0);
  };
  const token = await mintToken({ uid: "u1", app: "heapprobe", ttlSeconds: 3600 }, secret);
  const base = url.href.replace(/^http/, "ws");
  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(target === "echo" ? `${base}bench/echo?name=probe` : `${base}v1/connect?token=${token}&kind=webxo`);
      // Nexus: the welcome frame means the block is indexed; the echo has nothing more than the open.
      s.once(target === "echo" ? "open" : "message", () => resolve(s));
      s.once("error", reject);
    });
  sockets.push(await open());
  await call("Runtime.enable");
  const before = await heap();
  while (sockets.length <= n) {
    const batch = Math.min(100, n + 1 - sockets.length);
    sockets.push(...(await Promise.all(Array.from({ length: batch }, open))));
  }
  const after = await heap();
  console.log(`${target}: ${n} connections, isolate heap per connection ${((after - before) / n).toFixed(0)} bytes`);
} finally {
  for (const s of sockets) s.terminate();
  inspector?.close();
  await mf.dispose();
}
