// The hostile-client figures: every flood of test/abuse/ run against a local stack at the DEFAULT
// limits, with a canary pair in another app exchanging calls and messages meanwhile, then 20,000
// connect/disconnect cycles. Prints, per flood, what the edge answered, the canary's counts and
// workerd's RSS before and after.
//
//   CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false npx tsx bench/abuse-figures.ts
//
// The clients talk to the runtime itself, not through wrangler's dev proxy (which production does
// not have), as the other benches do; the proxy's RSS is printed beside the runtime's.
import { setTimeout as delay } from "node:timers/promises";
import WebSocket from "ws";
import { readConfig } from "../src/config";
import { type CanaryCounts, canaryFigures, startCanary } from "../test/abuse/canary";
import * as floods from "../test/abuse/floods";
import { startStack, type TestStack } from "../test/support/stack";
import { freePort, grown, openInspector } from "./heap-probe";
import { findEdgeProcesses, rssBytes } from "./pin";

process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_SEND_METRICS ??= "false";

const CYCLES = Number(process.env.ABUSE_CYCLES ?? 20_000);
const IDLE_MS = 30_000;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
/** A process' RSS; wrangler restarts the runtime when ./public changes (a build in this checkout). */
const rssOf = (pid: number) => {
  try {
    return mib(rssBytes(pid));
  } catch {
    return "gone (the runtime restarted)";
  }
};

interface Edge {
  s: TestStack;
  runtimePid: number;
  proxyPid: number | undefined;
  rss(): string;
}

/** A stack whose clients (and admin calls) go to the runtime directly. */
async function startEdge(vars: Record<string, string> = {}, inspectorPort?: number): Promise<Edge> {
  const s = await startStack({ vars, inspectorPort });
  const edge = await findEdgeProcesses(s.httpUrl);
  const proxyPid = edge.pids.find((p) => p !== edge.runtimePid);
  // startStack's helpers read these at each call: from now on they address the runtime itself.
  s.httpUrl = edge.runtimeUrl;
  s.connectUrl = `${edge.runtimeUrl.replace(/^http/, "ws")}/v1/connect`;
  return {
    s,
    runtimePid: edge.runtimePid,
    proxyPid,
    rss: () => `runtime ${rssOf(edge.runtimePid)}${proxyPid ? `, dev proxy ${rssOf(proxyPid)}` : ""}`,
  };
}

const limits = readConfig({});
type Flood = { name: string; run: (s: TestStack) => Promise<{ answered: string }> };
const FLOODS: Flood[] = [
  {
    name: `frames: 1 connection, ${5 * limits.rateBurst} frames at once`,
    run: (s) => floods.floodFrames(s, { frames: 5 * limits.rateBurst, connections: 1 }),
  },
  {
    name: `frames: 3 connections of one user, ${Math.round(limits.rateBurst * 0.75)} frames each`,
    run: (s) => floods.floodFrames(s, { frames: Math.round(limits.rateBurst * 0.75), connections: 3 }),
  },
  {
    name: `subscriptions: ${limits.maxSubscriptions + 10} from one block, as many from a second`,
    run: (s) => floods.floodSubscriptions(s, { count: limits.maxSubscriptions + 10, secondBlock: limits.maxSubscriptions + 10 }),
  },
  {
    name: `pending calls: ${limits.maxPendingCalls + 10} to a worker that never answers`,
    run: (s) => floods.floodPendingCalls(s, { callers: 1, perCaller: limits.maxPendingCalls + 10, expectRefused: 10 }),
  },
  {
    name: `pending calls: 3 x ${limits.maxPendingCalls} through the user's own user-role worker`,
    run: (s) =>
      floods.floodPendingCalls(s, {
        callers: 3,
        perCaller: limits.maxPendingCalls,
        expectRefused: Math.max(0, 3 * limits.maxPendingCalls - limits.maxPendingCallsPerUser),
        userRole: true,
      }),
  },
  {
    name: `served methods: ${limits.maxServedMethods + 1} names`,
    run: (s) => floods.floodServedMethods(s, { count: limits.maxServedMethods + 1 }),
  },
  {
    name: `connections: ${limits.maxBlocksPerUser + 10} blocks from one token`,
    run: (s) => floods.floodConnections(s, { count: limits.maxBlocksPerUser + 10 }),
  },
  {
    name: "new channels published to: 3000 fresh names from one block",
    run: (s) => floods.floodNewPubChannels(s, { count: 3000 }),
  },
  { name: "unknown apps: 1000 each of api, direct, find", run: (s) => floods.floodUnknownApps(s, { count: 1000 }) },
  {
    name: "retained values: 256 KiB values on distinct channels",
    run: (s) => {
      const valueBytes = limits.maxFrameBytes - 1024;
      return floods.floodRetained(s, { count: Math.ceil(limits.maxRetainedBytesPerApp / valueBytes) + 10, valueBytes });
    },
  },
  {
    name: `slow consumer: 64 KiB messages, ${mib(2 * limits.maxOutboundBytes)} to a socket that stopped reading`,
    run: (s) =>
      floods.floodSlowConsumer(s, { messages: Math.ceil((2 * limits.maxOutboundBytes) / 65_536), messageBytes: 65_536 }),
  },
  { name: "deep nesting: a frame and an api.res nested 10,000 levels", run: (s) => floods.floodNesting(s, { depth: 10_000 }) },
];

function canaryLine(c: CanaryCounts): string {
  const f = canaryFigures(c);
  const trouble = c.trouble.length ? `; trouble: ${c.trouble.slice(0, 3).join(" | ")}` : "";
  return `calls ${f.callsOk}/${f.callsSent} ok, messages sent ${f.sent} got ${f.got}, lost ${f.lost}; slowest round ${c.slowestRoundMs.toFixed(0)} ms${trouble}`;
}

async function runFloods(): Promise<void> {
  const edge = await startEdge();
  try {
    console.log(`# Floods at the default limits (${edge.rss()} at start)\n`);
    const only = process.env.ABUSE_ONLY ? new RegExp(process.env.ABUSE_ONLY) : undefined;
    for (const flood of FLOODS.filter((f) => !only || only.test(f.name))) {
      const before = edge.rss();
      const t0 = performance.now();
      const canary = await startCanary(edge.s);
      await canary.another();
      let answered: string;
      try {
        answered = (await flood.run(edge.s)).answered;
        await canary.another();
      } catch (err) {
        answered = `FAILED: ${(err as Error).message}`;
      }
      const counts = await canary.stop();
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      console.log(
        `## ${flood.name} (${seconds} s)\n- edge answered: ${answered}\n- canary: ${canaryLine(counts)}\n- RSS: before ${before}; after ${edge.rss()}\n`,
      );
    }
  } finally {
    await edge.s.stop();
  }
}

/** One connect (welcome) and close, of a Nexus block or of the bare echo. */
function cycle(url: string, welcome: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on("open", () => {
      if (!welcome) ws.send("x");
    });
    ws.on("message", () => ws.close());
    ws.on("close", () => resolve());
    ws.on("error", reject);
  });
}

async function cycles(n: number, url: (i: number) => string, welcome: boolean): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < n) await cycle(url(next++), welcome);
    }),
  );
}

async function runChurn(what: "nexus" | "echo"): Promise<void> {
  const inspectorPort = await freePort();
  const edge = await startEdge({ NEXUS_BENCH: "1" }, inspectorPort);
  try {
    const { s } = edge;
    let url: (i: number) => string;
    if (what === "nexus") {
      await s.createApp("churn", "owner");
      const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => s.token({ uid: `u${i}`, app: "churn" })));
      url = (i) => s.connectUrlFor(tokens[i % tokens.length]!, { kind: i % 2 ? "default" : "webuo" });
    } else {
      url = () => `${s.connectUrl.replace("/v1/connect", "/bench/echo")}`;
    }
    // Open before any load: see openInspector (a session attached only afterwards crashed the run).
    const inspector = await openInspector(inspectorPort);
    await cycles(500, url, what === "nexus"); // warm-up: JIT, objects started
    const heapBefore = await inspector.heap();
    const before = edge.rss();
    const t0 = performance.now();
    await cycles(CYCLES, url, what === "nexus");
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const after = edge.rss();
    // Idleness is what is measured here: no event says "the allocator has settled".
    await delay(IDLE_MS);
    const heapAfter = await inspector.heap();
    inspector.close();
    const label = what === "nexus" ? "Nexus blocks (half workers, 50 uids)" : "the bare echo object (the floor)";
    console.log(`## ${CYCLES.toLocaleString("en")} connect/disconnect cycles of ${label}, 20 at a time, ${seconds} s`);
    console.log(`- RSS: before ${before}; after ${after}; after ${IDLE_MS / 1000} s idle ${edge.rss()}`);
    console.log(
      `- JS heap of the edge's isolate after a full collection: before ${mib(heapBefore.usedBytes)}, after ${mib(heapAfter.usedBytes)}`,
    );
    console.log(`- retained objects that grew: ${grown(heapBefore, heapAfter, 6).join("; ") || "none"}`);
    if (what === "nexus")
      console.log(
        `- the app object's state afterwards: ${JSON.stringify((await s.admin("GET", "/v1/admin/apps/churn/stats")).body.state)}`,
      );
    console.log("");
  } finally {
    await edge.s.stop();
  }
}

// ABUSE_ONLY=<regexp> runs only the floods it matches; ABUSE_CHURN_ONLY=nexus|echo|both only the cycles.
const churnOnly = process.env.ABUSE_CHURN_ONLY;
if (!churnOnly) await runFloods();
if (!process.env.ABUSE_ONLY) {
  if (churnOnly !== "echo") await runChurn("nexus");
  if (churnOnly !== "nexus") await runChurn("echo");
}
