// `npm run bench:sdk` (npx tsx bench/sdk-latency.ts [--runs N]): the client SDKs side by side, in one run
// against one local stack (workerd edge on loopback): API round trip (a caller and a worker of the same SDK,
// the call aimed at that worker) and publish-to-delivery (one publisher, one subscriber, one message in
// flight), p50 and p90 in ms, for the TypeScript SDK and the Python SDK (sdk/python/.venv, made by
// `npm run test:python`), plus the cross calls: a Python caller to a TypeScript worker and the reverse.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { connect, type NexusClient } from "@qe/nexus-sdk";
import { startLocalStack } from "../scripts/local-stack";

const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const RUNS = Number(arg("--runs") ?? 500);
const WARMUP = 50;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PYTHON = `${ROOT}sdk/python/.venv/bin/python`;

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function timed(runs: number, once: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + runs; i++) {
    const started = performance.now();
    await once(i);
    if (i >= WARMUP) samples.push(performance.now() - started);
  }
  return samples;
}

function runPython(env: Record<string, string>): Promise<{ api: number[]; pub: number[]; tsWorker: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [`${ROOT}bench/sdk_latency.py`], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`python exited ${code}`))));
  });
}

if (!existsSync(PYTHON)) {
  console.error("No sdk/python/.venv: run `npm run test:python` once (it makes the venv and installs qe-nexus).");
  process.exit(1);
}
const stack = await startLocalStack({ port: 0, mqttPort: 0, logLevel: "error" });
const clients: NexusClient[] = [];
try {
  const uid = "b0000000000000000000bench";
  const app = "sdkbench";
  const admin = (path: string, method: string, body: unknown) =>
    fetch(stack.httpUrl + path, {
      method,
      headers: { authorization: `Bearer ${stack.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<any>);
  await admin(`/v1/admin/apps/${app}`, "PUT", { owner: uid });
  const { token } = await admin("/v1/admin/tokens", "POST", { uid, app });
  const open = async (kind: string) => {
    const nx = await connect({ url: stack.httpUrl, token, kind });
    clients.push(nx);
    return nx;
  };

  const worker = await open("default");
  await worker.serve("echo", (data) => data);
  const caller = await open("default");
  const resource = worker.identity!.resource;
  const tsApi = await timed(RUNS, (i) => caller.api(app, "echo", i, { resource }));

  let deliver: (() => void) | undefined;
  await worker.subscribe("bench/ts", () => deliver?.());
  const tsPub = await timed(RUNS, async (i) => {
    const delivered = new Promise<void>((resolve) => {
      deliver = resolve;
    });
    await caller.publish("bench/ts", String(i));
    await delivered;
  });

  const py = await runPython({
    NEXUS_URL: stack.httpUrl,
    NEXUS_TOKEN: token,
    NEXUS_APP: app,
    NEXUS_RUNS: String(RUNS),
    NEXUS_TS_WORKER: resource,
  });
  // The reverse: a TypeScript caller and a Python worker (the api_receive example).
  const pyWorker = spawn(PYTHON, [`${ROOT}examples/python/api_receive.py`], {
    env: { ...process.env, NEXUS_URL: stack.httpUrl, NEXUS_TOKEN: token },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const pyResource = await new Promise<string>((resolve, reject) => {
    let out = "";
    pyWorker.stdout.on("data", (d) => {
      out += d;
      const m = /ready: \S+\/(\S+) serves/.exec(out);
      if (m) resolve(m[1]!);
    });
    pyWorker.on("close", () => reject(new Error("the Python worker exited")));
  });
  const tsToPy = await timed(RUNS, (i) => caller.api(app, "sum", { a: i, b: 1 }, { resource: pyResource }));
  pyWorker.kill("SIGTERM");

  const rows: [string, number[]][] = [
    ["TypeScript SDK: API round trip", tsApi],
    ["Python SDK: API round trip", py.api],
    ["TypeScript SDK: publish-to-delivery", tsPub],
    ["Python SDK: publish-to-delivery", py.pub],
    ["Python caller -> TypeScript worker: API round trip", py.tsWorker],
    ["TypeScript caller -> Python worker: API round trip", tsToPy],
  ];
  console.log(`SDK latency, ${RUNS} sequential samples each after ${WARMUP} warm-up, loopback, one local stack`);
  for (const [name, samples] of rows) {
    console.log(`${name.padEnd(52)} p50 ${quantile(samples, 0.5).toFixed(2)} ms   p90 ${quantile(samples, 0.9).toFixed(2)} ms`);
  }
} finally {
  await Promise.all(clients.map((nx) => nx.close()));
  await stack.stop();
}
