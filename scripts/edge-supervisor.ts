import { descendantsOf, type ProcessInfo } from "./process-tree.mjs";

/** What the supervisor needs from the stack it watches. */
export interface SupervisedEdge {
  httpUrl: string;
  restartEdge(): Promise<void>;
}

/** How the supervisor reports, and what it does when it cannot bring the edge back. */
export interface SupervisorOptions {
  log(line: string): void;
  /** Called after each successful restart (e.g. to tell the orphan guard about new processes). */
  onRestarted?(): void;
  /** Called once when the edge cannot be brought back; the caller stops everything and exits non-zero. */
  onGiveUp(reason: string): void;
  /** At most this many restarts within `windowMs` (default 3 in 60 s); one more gives up. */
  maxRestarts?: number;
  windowMs?: number;
}

/** A running supervisor. */
export interface EdgeSupervisor {
  /** Stops watching (call before stopping the stack, so its own shutdown is not taken for a crash). */
  stop(): void;
}

const POLL_MS = 500;

async function healthy(httpUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${httpUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

function runtimes(): ProcessInfo[] {
  return descendantsOf(process.pid).filter((p) => p.name === "workerd");
}

/**
 * Watches the edge's runtime processes (workerd, started by wrangler inside this process) and, when
 * one exits and the edge no longer answers /healthz, restarts the edge on the same port and data
 * directory, with a log line. More restarts than `maxRestarts` within `windowMs`, or a restart that
 * fails, gives up: the stack is never left half-alive.
 *
 * @example
 * ```ts
 * const supervisor = superviseEdge(stack, { log: console.log, onGiveUp: () => process.exit(1) });
 * ```
 */
export function superviseEdge(edge: SupervisedEdge, options: SupervisorOptions): EdgeSupervisor {
  const maxRestarts = options.maxRestarts ?? 3;
  const windowMs = options.windowMs ?? 60_000;
  const restarts: number[] = [];
  let known = new Map(runtimes().map((p) => [`${p.pid}:${p.start}`, p]));
  let busy = false;
  let stopped = false;

  async function check(): Promise<void> {
    const now = runtimes();
    const nowKeys = new Set(now.map((p) => `${p.pid}:${p.start}`));
    const gone = [...known].filter(([key]) => !nowKeys.has(key)).map(([, p]) => p);
    known = new Map(now.map((p) => [`${p.pid}:${p.start}`, p]));
    if (gone.length === 0 || (await healthy(edge.httpUrl)) || stopped) return;
    const at = Date.now();
    while (restarts.length > 0 && restarts[0]! < at - windowMs) restarts.shift();
    const pids = gone.map((p) => p.pid).join(", ");
    if (restarts.length >= maxRestarts) {
      options.onGiveUp(`the edge runtime (workerd ${pids}) died again, ${restarts.length} restarts within ${windowMs / 1000} s`);
      stopped = true;
      return;
    }
    restarts.push(at);
    options.log(`nexus: the edge runtime (workerd ${pids}) exited and /healthz does not answer; restarting the edge`);
    try {
      await edge.restartEdge();
    } catch (err) {
      stopped = true;
      options.onGiveUp(`the edge could not be restarted: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    known = new Map(runtimes().map((p) => [`${p.pid}:${p.start}`, p]));
    options.log(`nexus: the edge is back at ${edge.httpUrl}`);
    options.onRestarted?.();
  }

  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    check().finally(() => {
      busy = false;
    });
  }, POLL_MS);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
