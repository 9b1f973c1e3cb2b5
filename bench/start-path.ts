// `npm run bench:start -- [--watch] [--connections 1000]`: the path a user of `npm start` gets. Starts
// `npm start` (or, with --watch, `npm run dev`) on free ports with a fresh data directory, as a user
// would, then measures through its public port:
//   start        from spawn to the banner
//   frames/s     Directs within one app, one sender, 64 in flight (limits lifted through the environment)
//   RSS          of every workerd process of the stack, before and after opening N idle connections
// and stops it. Run it once per variant back to back to compare them under the same load.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { descendantsOf } from "../scripts/process-tree.mjs";
import { watchOutput } from "../test/support/child-output";
import { LIFTED_LIMITS } from "./lifted-limits";
import { runWindow } from "./loop";
import { rssBytes } from "./pin";
import { closeAll, openMany, WireClient } from "./wire-client";

const { values } = parseArgs({
  options: { watch: { type: "boolean", default: false }, connections: { type: "string", default: "1000" } },
});
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "nexus-start-path-"));
const t0 = performance.now();
const child = spawn(process.execPath, [join(ROOT, "scripts/start.mjs"), ...(values.watch ? ["--watch"] : [])], {
  cwd: ROOT,
  env: {
    ...process.env,
    NEXUS_PORT: "0",
    NEXUS_MQTT_PORT: "0",
    NEXUS_DATA_DIR: dataDir,
    NEXUS_ADMIN_KEY: undefined,
    NEXUS_JWT_SECRET: undefined,
    ...LIFTED_LIMITS,
  },
  stdio: ["ignore", "pipe", "pipe"],
});
const output = watchOutput(child, "npm start");
const workerdRss = () =>
  descendantsOf(child.pid!)
    .filter((p) => p.name === "workerd")
    .reduce((sum, p) => sum + rssBytes(p.pid), 0);

try {
  const [, url] = await output.waitFor("stdout", /console {6}(http:\S+)\//);
  const [, adminKey] = await output.waitFor("stdout", /admin key {4}(\S+)/);
  const startMs = performance.now() - t0;
  const admin = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}` },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as { token?: string };
  };
  await admin("PUT", "/v1/admin/apps/startpath", { owner: "owner1" });
  const { token } = await admin("POST", "/v1/admin/tokens", { uid: "owner1", app: "startpath" });
  const connect = (kind: string) =>
    WireClient.open(`${url!.replace(/^http/, "ws")}/v1/connect?${new URLSearchParams({ token: token!, kind })}`);
  const worker = await connect("default");
  const sender = await connect("default");
  const resource = (worker.welcome?.from as { resource?: string } | undefined)?.resource;
  if (!resource) throw new Error(`welcome without from.resource: ${JSON.stringify(worker.welcome)}`);
  const prefix = `{"t":"direct","app":"startpath","resource":"${resource}","data":"`;
  const loop = (count: number, maxMs: number) =>
    runWindow({
      count,
      maxMs,
      window: 64,
      send: (k) => sender.send(`${prefix}${k}"}`),
      attach: (done) => {
        worker.onFrame = (f) => {
          if (f.t === "direct") done(Number(f.data));
        };
      },
    });
  await loop(2000, 1000);
  const r = await loop(100_000, 3000);
  const framesPerSec = (r.completed / r.elapsedMs) * 1000;
  await closeAll([worker, sender]);

  const n = Number(values.connections);
  const before = workerdRss();
  const held = await openMany(n, 250, () => connect("webuo"));
  const after = workerdRss();
  const workerds = descendantsOf(child.pid!).filter((p) => p.name === "workerd").length;
  await closeAll(held.clients);
  const variant = values.watch ? "npm run dev (wrangler dev: proxy + runtime)" : "npm start";
  console.log(`${variant}: ${workerds} workerd process(es), banner after ${(startMs / 1000).toFixed(2)} s`);
  console.log(`  Directs within one app, 64 in flight: ${Math.round(framesPerSec).toLocaleString("en")} frames/s`);
  console.log(
    `  workerd RSS: ${(before / 2 ** 20).toFixed(0)} MiB idle, +${((after - before) / 2 ** 20).toFixed(0)} MiB for ${n.toLocaleString("en")} connections (${((after - before) / n / 1024).toFixed(0)} KiB each)`,
  );
} finally {
  child.kill("SIGTERM");
  await output.exited;
  rmSync(dataDir, { recursive: true, force: true });
}
