// `npm run bench:profile -- <path>... [--ms 3000] [--no-profile] [--rounds N]`: what bounds a path. Runs
// each path for a few seconds, one after the other, on one local stack with the runtime's inspector
// open, and prints its rate, the runtime's CPU time per unit (from /proc: all of workerd, JS and C++),
// and a V8 CPU profile of the isolate (self time per function, idle, GC and "(program)": the runtime's
// C++ under JS, e.g. RPC and storage). `--rounds N` compares paths instead: it runs them in turn, N
// times each for ms/N (no profile), so that the machine's drift (runs here differ by up to 25%) falls
// on every path alike; two runs of one path this way differ by about 3%. Paths:
//   echo          the bare Durable Object echo, 64 in flight (the floor)
//   echo8         the same with 8 in flight (the channel's floor)
//   direct-same   Directs within one app, 64 in flight
//   direct-cross  Directs across apps, 64 in flight
//   api-same      API calls within one app, 64 in flight
//   api-cross     API calls across apps, 64 in flight
//   channel       one publisher to one subscriber, 8 in flight; `channel:<name>` on a channel named
//                 after it (several at once: an experiment build can tell its variants by the name)
//   connect       connects of one token, 250 at a time
//   echo-connect  connects to the bare echo, 250 at a time (the connect floor)
// NEXUS_PROFILE_DUMP=<file> also writes the raw profile (DevTools' .cpuprofile format), to walk its tree.
import { parseArgs } from "node:util";
import { startLocalStack } from "../scripts/local-stack";
import { BENCH_VARS } from "./bench";
import { APP_A, type BenchContext, OWNER_A, setUpApps } from "./context";
import { profileWhile } from "./cpu-profile";
import { freePort } from "./heap-probe";
import { runWindow } from "./loop";
import { cpuIdle, cpuMs } from "./pin";
import { RuntimeTracker } from "./runtime-tracker";
import { echoLoop, openEcho } from "./scenarios/echo";
import { workerPair } from "./scenarios/workers";
import { closeAll, openMany, type WireClient } from "./wire-client";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    ms: { type: "string", default: "3000" },
    "no-profile": { type: "boolean", default: false },
    rounds: { type: "string", default: "0" },
  },
});
const paths = positionals.length > 0 ? positionals : ["echo", "api-cross"];
const maxMs = Number(values.ms);

/** Sets the path up; `run` does `count` units (or until maxMs) and answers how many it completed. */
async function prepare(
  ctx: BenchContext,
  path: string,
): Promise<{ run(count: number, maxMs: number): Promise<number>; between?(): Promise<void>; close(): Promise<void> }> {
  const window = path.startsWith("channel") || path === "echo8" ? 8 : 64;
  const loop = async (send: (k: number) => void, attach: (done: (k: number) => void) => void, count: number, ms: number) =>
    (await runWindow({ count, maxMs: ms, window, send, attach })).completed;
  if (path === "echo" || path === "echo8") {
    const echo = await echoLoop(ctx);
    return { run: async (n, ms) => (await echo.run(n, ms, window)).completed, close: () => echo.close() };
  }
  if (["api-same", "api-cross", "direct-same", "direct-cross"].includes(path)) {
    const pair = await workerPair(ctx, path.endsWith("same") ? "same" : "cross");
    if (path.startsWith("direct")) {
      const prefix = `{"t":"direct","app":"${APP_A}","resource":"${pair.resource}","data":"`;
      const attach = (done: (k: number) => void) => {
        pair.worker.onFrame = (f) => {
          if (f.t === "direct") done(Number(f.data));
        };
      };
      return { run: (n, ms) => loop((k) => pair.sender.send(`${prefix}${k}"}`), attach, n, ms), close: () => pair.close() };
    }
    const prefix = `{"t":"api","app":"${APP_A}","method":"echo","data":0,"id":"`;
    const attach = (done: (k: number) => void) => {
      pair.sender.onFrame = (f) => {
        if (f.t === "api.result") done(Number(f.id));
      };
    };
    return { run: (n, ms) => loop((k) => pair.sender.send(`${prefix}${k}"}`), attach, n, ms), close: () => pair.close() };
  }
  const token = await ctx.token({ uid: OWNER_A, app: APP_A });
  if (path === "channel" || path.startsWith("channel:")) {
    const channel = `profile.${path.slice(8) || "main"}.${Date.now()}`;
    const publisher = await ctx.connect(token, { kind: "default" });
    const sub = await ctx.connect(token, { kind: "webuo" });
    await sub.expectAck({ t: "sub", channel });
    const prefix = `{"t":"pub","channel":"${channel}","data":"`;
    const attach = (done: (k: number) => void) => {
      sub.onFrame = (f) => {
        if (f.t === "msg") done(Number(f.data));
      };
    };
    return {
      run: (n, ms) => loop((k) => publisher.send(`${prefix}${k}"}`), attach, n, ms),
      close: () => closeAll([publisher, sub]),
    };
  }
  if (path === "connect" || path === "echo-connect") {
    let held: WireClient[] = [];
    const open = path === "connect" ? () => ctx.connect(token, { kind: "webuo" }) : () => openEcho(ctx);
    return {
      // 250 at a time, in sets of up to 1,000, until `count` or `maxMs`; open until `between` closes them.
      async run(n, ms) {
        const t0 = performance.now();
        while (held.length < n && performance.now() - t0 < ms)
          held.push(...(await openMany(Math.min(1000, n - held.length), 250, open)).clients);
        return held.length;
      },
      async between() {
        await closeAll(held);
        held = [];
      },
      close: () => closeAll(held),
    };
  }
  throw new Error(`unknown path "${path}"`);
}

async function measure(rt: RuntimeTracker, inspectorPort: number, path: string): Promise<void> {
  const p = await prepare(rt.ctx, path);
  const connects = path.endsWith("connect");
  const count = connects ? 2000 : 1_000_000;
  await p.run(connects ? 500 : 5000, 1500); // warm-up: JIT, objects started
  await p.between?.();
  const pid = (await rt.attempt("shared", async (pid) => pid)) as number;
  rt.unpin();
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  const work = () => p.run(count, maxMs);
  const { result: done, profile } = values["no-profile"]
    ? { result: await work(), profile: undefined }
    : await profileWhile(inspectorPort, work);
  const wallMs = performance.now() - t0;
  const cpu = cpuMs(pid) - cpu0;
  await p.close();
  const per = (ms: number) => `${((ms * 1000) / done).toFixed(1)} µs`;
  console.log(`${path}: ${done} units in ${wallMs.toFixed(0)} ms = ${Math.round((done / wallMs) * 1000)}/s`);
  console.log(`  workerd CPU ${cpu.toFixed(0)} ms (${((cpu / wallMs) * 100).toFixed(0)}% of one core) = ${per(cpu)} per unit`);
  if (!profile) return;
  const js = profile.totalMs - profile.idleMs - profile.programMs - profile.gcMs;
  console.log(
    `  isolate: JS ${per(js)}, GC ${per(profile.gcMs)}, runtime C++ "(program)" ${per(profile.programMs)}, idle ${per(profile.idleMs)} per unit`,
  );
  for (const f of profile.top.slice(0, 25)) console.log(`  ${per(f.ms).padStart(10)}  ${f.name}`);
}

/** Every path in turn, `rounds` times, each for maxMs / rounds: machine drift falls on all alike. */
async function alternate(rt: RuntimeTracker, rounds: number): Promise<void> {
  const prepared = [];
  for (const path of paths) {
    const p = await prepare(rt.ctx, path);
    await p.run(5000, 1500);
    prepared.push({ path, p, done: 0, cpu: 0, wall: 0 });
  }
  const pid = (await rt.attempt("shared", async (pid) => pid)) as number;
  rt.unpin();
  for (let r = 0; r < rounds; r++) {
    for (const x of r % 2 === 0 ? prepared : [...prepared].reverse()) {
      if (x.p.between) {
        // Closes the last turn's sockets, and waits until the runtime has done with them.
        await x.p.between();
        await cpuIdle(pid, 3);
      }
      const cpu0 = cpuMs(pid);
      const t0 = performance.now();
      x.done += await x.p.run(1_000_000, maxMs / rounds);
      x.wall += performance.now() - t0;
      x.cpu += cpuMs(pid) - cpu0;
    }
  }
  for (const x of prepared) {
    await x.p.close();
    const rate = Math.round((x.done / x.wall) * 1000);
    console.log(`${x.path}: ${x.done} units, ${rate}/s, workerd ${((x.cpu * 1000) / x.done).toFixed(1)} µs per unit`);
  }
}

const inspectorPort = await freePort();
const stack = await startLocalStack({ mqttPort: 0, vars: BENCH_VARS, inspectorPort, logLevel: "error" });
try {
  const rt = await RuntimeTracker.start(stack, { maxMs, scale: 1, log: console.error });
  await setUpApps(rt.ctx);
  const rounds = Number(values.rounds);
  if (rounds > 0) await alternate(rt, rounds);
  else for (const path of paths) await measure(rt, inspectorPort, path);
} finally {
  await stack.stop();
}
