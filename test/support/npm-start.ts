import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { descendantsOf, isSameProcess, type ProcessInfo } from "../../scripts/process-tree.mjs";
import { watchOutput } from "./child-output";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A running `npm start`, as a user started it from a shell. */
export interface NpmStart {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr matches; rejects if the process exits first. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once npm exits. */
  exited: Promise<number | null>;
  /** SIGTERM to npm (which passes it on), and waits; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Runs `npm start` in the repository with `env` added (and NEXUS_ADMIN_KEY / NEXUS_JWT_SECRET
 * removed unless `env` sets them).
 *
 * @example
 * ```ts
 * const s = startNpm({ NEXUS_PORT: "0", NEXUS_MQTT_PORT: "0", NEXUS_DATA_DIR: dir });
 * const [, url] = await s.waitFor("stdout", /console {6}(http:\S+)\//);
 * ```
 */
export function startNpm(env: Record<string, string | undefined>): NpmStart {
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    env: { ...process.env, NEXUS_ADMIN_KEY: undefined, NEXUS_JWT_SECRET: undefined, NODE_OPTIONS: undefined, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = watchOutput(child, "npm start");
  return {
    child,
    ...output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await output.exited;
    },
  };
}

/** The node process that runs scripts/start.ts under npm (npm's child). */
export function startProcessOf(npm: NpmStart): ProcessInfo {
  const node = descendantsOf(npm.child.pid!).find((p) => p.name === "node");
  if (!node) throw new Error("npm start has no node process");
  return node;
}

/** The workerd processes that descend from `pid`. */
export function runtimesOf(pid: number): ProcessInfo[] {
  return descendantsOf(pid).filter((p) => p.name === "workerd");
}

/**
 * Resolves once none of `processes` is alive (checked every 50 ms: processes that are not our
 * children signal nothing when they end); rejects after `timeoutMs`.
 */
export async function waitUntilGone(processes: ProcessInfo[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processes.some((p) => isSameProcess(p))) {
    if (Date.now() > deadline) {
      throw new Error(`still running: ${processes.filter((p) => isSameProcess(p)).map((p) => `${p.name} ${p.pid}`)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when a TCP server can listen on the port now. */
export function portIsFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Holds a free loopback port until `close()`; `port` is the port it holds. */
export async function holdPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
