// `npm run bench:cli` (npx tsx bench/cli-start.ts [--runs N]): how long the `nexus` command takes to
// start. Each figure is the wall time of a whole process, spawned as a user runs it:
//   node -e 0    the floor: Node itself starting and exiting, under the same load
//   help         `nexus --help` (start, parse, print, exit)
//   first frame  `nexus find --json` on loopback (start, connect, welcome, find, answer, exit): an
//                upper bound of the time to the first frame, since the welcome comes before the answer.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { startLocalStack } from "../scripts/local-stack";

// --cli <file> measures another launcher (e.g. the former tsx one, to compare under the same load).
const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const NEXUS = arg("--cli") ?? fileURLToPath(new URL("../cli/nexus.mjs", import.meta.url));
const RUNS = Number(arg("--runs") ?? 15);

function timeRun(args: string[], env: Record<string, string>, script = NEXUS): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, NODE_OPTIONS: "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("close", (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`nexus ${args.join(" ")} exited ${code}: ${err}`));
    });
  });
}

async function series(label: string, args: string[], env: Record<string, string>, script = NEXUS): Promise<void> {
  await timeRun(args, env, script); // the first run warms the file system cache, as any second command would
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await timeRun(args, env, script));
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(0);
  console.log(`${label.padEnd(12)} median ${at(0.5)} ms   p90 ${at(0.9)} ms   min ${at(0)} ms   (${RUNS} runs)`);
}

const stack = await startLocalStack({ mqttPort: 0 });
try {
  const admin = { authorization: `Bearer ${stack.adminKey}` };
  await fetch(`${stack.httpUrl}/v1/admin/apps/benchcli`, { method: "PUT", headers: admin, body: '{"owner":"u1"}' });
  const res = await fetch(`${stack.httpUrl}/v1/admin/tokens`, {
    method: "POST",
    headers: admin,
    body: '{"uid":"u1","app":"benchcli"}',
  });
  const { token } = (await res.json()) as { token: string };
  const env = { NEXUS_URL: stack.httpUrl, NEXUS_TOKEN: token };
  // The floor: Node itself starting and exiting, on this machine under its current load.
  await series("node -e 0", ["0"], env, "-e");
  await series("help", ["--help"], env);
  await series("first frame", ["find", "--json"], env);
} finally {
  await stack.stop();
}
