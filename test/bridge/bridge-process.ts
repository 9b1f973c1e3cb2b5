import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

/** A bridge running as its own process (the `nexus-bridge` CLI), so a test can kill it or read its memory. */
export interface BridgeProcess {
  child: ChildProcess;
  port: number;
  /** Every JSON log record so far. */
  records: Record<string, unknown>[];
  /** When the test read each record (`performance.now()`), by index. */
  readAt: number[];
  /** The first record at index `from` or later that matches, waiting for it; rejects after `timeoutMs`. */
  next(match: (r: Record<string, unknown>) => boolean, what: string, from?: number, timeoutMs?: number): Promise<number>;
  /** The process's resident set size in bytes, from /proc. */
  rss(): number;
  /** Resolves with the exit signal or code. */
  exited: Promise<NodeJS.Signals | number | null>;
  /** Stops it (SIGKILL unless told otherwise) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `bridge/src/cli.ts` against an edge on a free port and waits until it listens.
 *
 * @example
 * ```ts
 * const bridge = await startBridgeProcess(s.httpUrl, ["--max-queued-bytes", "262144"]);
 * await bridge.stop("SIGKILL");
 * ```
 */
export async function startBridgeProcess(edgeUrl: string, extra: string[] = []): Promise<BridgeProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "bridge/src/cli.ts", "--edge", edgeUrl, "--host", "127.0.0.1", "--port", "0", "--ws-port", "0", ...extra],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const records: Record<string, unknown>[] = [];
  const readAt: number[] = [];
  const listeners = new Set<() => void>();
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on("exit", (code, signal) => resolve(signal ?? code)),
  );
  const listening = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      records.push(record);
      readAt.push(performance.now());
      for (const l of listeners) l();
      if (record.event === "bridge.listening") resolve(record.port as number);
    });
    exited.then((how) => reject(new Error(`the bridge exited before listening (${String(how)})`)));
  });
  const port = await listening;
  return {
    child,
    port,
    records,
    readAt,
    next(match, what, from = 0, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`bridge: no ${what} within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          const i = records.findIndex((r, j) => j >= from && match(r));
          if (i >= 0) done(undefined, i);
        };
        const done = (err?: Error, index?: number) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve(index!);
        };
        listeners.add(check);
        check();
      });
    },
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
    },
    exited,
    async stop(signal: NodeJS.Signals = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
