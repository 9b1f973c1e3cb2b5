import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

/** How the bench places the server (workerd) and the client (this process) on cores. */
export type Placement = "separate" | "shared";

/**
 * The processes descended from `root` whose command name is `name` (read from /proc).
 *
 * @example
 * ```ts
 * descendantsNamed(process.pid, "workerd"); // [12345, 12351]
 * ```
 */
export function descendantsNamed(root: number, name: string): number[] {
  const parentOf = new Map<number, number>();
  const commOf = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      // The command name is in parentheses and may hold spaces; the fields after it are space-separated.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      commOf.set(pid, stat.slice(stat.indexOf("(") + 1, close));
      parentOf.set(pid, Number(stat.slice(close + 2).split(" ")[1]));
    } catch {
      // The process ended between readdir and read: it is not ours to pin.
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === root) return true;
    return false;
  };
  return [...commOf].filter(([pid, comm]) => comm === name && isDescendant(pid)).map(([pid]) => pid);
}

/**
 * The loopback TCP ports a process listens on (from `ss`, which reads the socket tables and owners).
 *
 * @example
 * ```ts
 * listeningPorts(12351); // [41955]
 * ```
 */
export function listeningPorts(pid: number): number[] {
  const out = execFileSync("ss", ["-ltnpH"], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]))
    .filter((port) => Number.isInteger(port));
}

/** The workerd processes of a local stack: wrangler's dev proxy, and the runtime that runs the edge. */
export interface EdgeProcesses {
  /** The workerd that runs the edge worker and its Durable Objects. */
  runtimePid: number;
  /** The edge's own address, without wrangler's dev proxy in front (`http://127.0.0.1:port`). */
  runtimeUrl: string;
  /** Every workerd of the stack (the proxy too), for pinning. */
  pids: number[];
}

/**
 * Finds the stack's workerd processes among this process' descendants (wrangler runs here, so they
 * are our children). wrangler's `unstable_startWorker` runs two: a dev proxy on the stack's port,
 * which forwards every request and WebSocket frame, and the runtime itself on a port of its own.
 * Production has no such proxy, so the bench talks to the runtime directly.
 *
 * @example
 * ```ts
 * const { runtimePid, runtimeUrl } = findEdgeProcesses(stack.httpUrl);
 * ```
 */
export async function findEdgeProcesses(httpUrl: string): Promise<EdgeProcesses> {
  // The runtime starts after `ready` resolves; a request through the proxy waits for it.
  await fetch(`${httpUrl}/healthz`).then((r) => r.text());
  const proxyPort = Number(new URL(httpUrl).port);
  const pids = descendantsNamed(process.pid, "workerd");
  for (const pid of pids) {
    const ports = listeningPorts(pid);
    if (ports.includes(proxyPort)) continue;
    for (const port of ports) {
      const url = `http://127.0.0.1:${port}`;
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return { runtimePid: pid, runtimeUrl: url, pids };
    }
  }
  // No separate runtime: the stack's own port serves the edge.
  const own = pids.find((pid) => listeningPorts(pid).includes(proxyPort));
  if (own === undefined) throw new Error(`no workerd of ours listens on ${httpUrl}`);
  return { runtimePid: own, runtimeUrl: httpUrl, pids };
}

/**
 * Resident set size of a process, in bytes (VmRSS from /proc).
 *
 * @example
 * ```ts
 * rssBytes(process.pid) / 2 ** 20; // 95.3 (MiB)
 * ```
 */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/**
 * User and system CPU time a process has used so far, in ms (all its threads).
 *
 * @example
 * ```ts
 * const t0 = cpuMs(workerdPid); await work(); const spent = cpuMs(workerdPid) - t0;
 * ```
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * Waits until a process has done what the last step left it (a burst of closes, say): until its CPU
 * time moves by less than `slackMs` in 100 ms.
 *
 * @example
 * ```ts
 * await closeAll(clients);
 * await cpuIdle(workerdPid); // the closes' work is not counted in the next measurement
 * ```
 */
export async function cpuIdle(pid: number, slackMs = 5): Promise<void> {
  for (let last = cpuMs(pid); ; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = cpuMs(pid);
    if (now - last < slackMs) return;
    last = now;
  }
}

/**
 * Pins every thread of `pid` to the given cores. `taskset -a`: a plain `-p` moves only the main
 * thread, and both Node (libuv pool) and workerd run several threads.
 *
 * @example
 * ```ts
 * pinProcess(workerdPid, "1");
 * ```
 */
export function pinProcess(pid: number, cores: string): void {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", cores, String(pid)], { stdio: "ignore" });
  } catch (err) {
    // A runtime that wrangler restarted is gone; there is nothing left to pin.
    if (existsSync(`/proc/${pid}/status`)) throw err;
  }
}

/**
 * Places workerd and this process: `separate` puts the client on core 0 and workerd on core 1;
 * `shared` puts both on core 0. Returns a description for the report.
 *
 * @example
 * ```ts
 * place("separate", edge.pids); // "client (bench process): core 0, workerd: core 1"
 * ```
 */
export function place(placement: Placement, workerdPids: readonly number[]): string {
  // os.cpus(), not availableParallelism(): the latter honours this process' own affinity, which we set.
  if (cpus().length < 2 && placement === "separate") throw new Error("separate cores need at least 2 CPUs");
  const server = placement === "separate" ? "1" : "0";
  pinProcess(process.pid, "0");
  for (const pid of workerdPids) pinProcess(pid, server);
  return `client (bench process): core 0, workerd: core ${server}`;
}

/**
 * Lets every process run anywhere again.
 *
 * @example
 * ```ts
 * unpin(edge.pids);
 * ```
 */
export function unpin(workerdPids: readonly number[]): void {
  const all = `0-${cpus().length - 1}`;
  pinProcess(process.pid, all);
  for (const pid of workerdPids) pinProcess(pid, all);
}
