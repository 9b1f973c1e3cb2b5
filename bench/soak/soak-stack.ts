import { existsSync } from "node:fs";
import { type LocalStack, startLocalStack } from "../../scripts/local-stack";
import { mintToken } from "../../src/auth/tokens";
import { findEdgeProcesses, rssBytes } from "../pin";

/** The local stack a soak runs against, with what the soak needs of it. */
export interface SoakStack {
  stack: LocalStack;
  /** The edge runtime's own address (no dev proxy in front, as in production), `http://...`. */
  edgeUrl: string;
  /** The workerd that runs the edge worker and its Durable Objects. */
  runtimePid: number;
  /** Every workerd of the stack (wrangler's dev proxy too, when there is one). */
  workerdPids: number[];
  /** Calls an admin route with the admin key; returns status and parsed body. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Mints a development token with the stack's JWT secret, as the platform's issuer would. */
  token(uid: string, app: string, ttlSeconds: number): Promise<string>;
  /** VmRSS of the runtime and of every workerd, in MiB; NaN for a process that is gone. */
  rss(): { rssMiB: number; rssAllMiB: number };
  /** Why the stack is no longer whole (a workerd exited, /healthz stopped answering), or undefined. */
  crashed(): Promise<string | undefined>;
}

const MiB = 2 ** 20;
const readRss = (pid: number) => (existsSync(`/proc/${pid}/status`) ? rssBytes(pid) / MiB : Number.NaN);

/**
 * Starts the real local stack (workerd edge through wrangler, on a free loopback port; no MQTT
 * bridge) with the edge's default limits, and finds its workerd processes. `stack.stop()` stops
 * every process it started.
 *
 * @example
 * ```ts
 * const s = await startSoakStack();
 * try { console.log(s.edgeUrl, s.rss()); } finally { await s.stack.stop(); }
 * ```
 */
export async function startSoakStack(): Promise<SoakStack> {
  const stack = await startLocalStack({ port: 0, mqttPort: 0, logLevel: "error" });
  try {
    const edge = await findEdgeProcesses(stack.httpUrl);
    let healthFailures = 0;
    const admin: SoakStack["admin"] = async (method, path, body) => {
      const res = await fetch(edge.runtimeUrl + path, {
        method,
        headers: { authorization: `Bearer ${stack.adminKey}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    return {
      stack,
      edgeUrl: edge.runtimeUrl,
      runtimePid: edge.runtimePid,
      workerdPids: edge.pids,
      admin,
      token: (uid, app, ttlSeconds) => mintToken({ uid, app, ttlSeconds }, stack.jwtSecret),
      rss() {
        const all = edge.pids.map(readRss);
        return { rssMiB: readRss(edge.runtimePid), rssAllMiB: all.reduce((a, b) => a + b, 0) };
      },
      async crashed() {
        const gone = edge.pids.filter((pid) => !existsSync(`/proc/${pid}/status`));
        if (gone.length > 0) return `workerd ${gone.join(", ")} exited`;
        const ok = await fetch(`${edge.runtimeUrl}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
          async (r) => {
            await r.body?.cancel();
            return r.ok;
          },
          () => false,
        );
        healthFailures = ok ? 0 : healthFailures + 1;
        // One slow answer under load is not a crash; three in a row (30 s and more) is.
        return healthFailures >= 3 ? "/healthz did not answer 3 times in a row" : undefined;
      },
    };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}
