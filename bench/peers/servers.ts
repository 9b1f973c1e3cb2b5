import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A peer server the bench started: its name and version, its port and pid. */
export interface PeerServer {
  /** "mosquitto" or "nats-server". */
  name: "mosquitto" | "nats-server";
  version: string;
  port: number;
  pid: number;
  /** Stops the process (SIGKILL by pid) and removes its files. */
  stop(): void;
}

/** The Debian packages that provide the peers; the docs tell users to install them. */
export const PEER_PACKAGES = "mosquitto nats-server";

const BINARIES = { mosquitto: "/usr/sbin/mosquitto", "nats-server": "/usr/sbin/nats-server" } as const;

function which(name: keyof typeof BINARIES): string | undefined {
  for (const candidate of [BINARIES[name], name]) {
    try {
      execFileSync(candidate, [name === "mosquitto" ? "-h" : "--version"], { stdio: "ignore", timeout: 5000 });
      return candidate;
    } catch (err) {
      // mosquitto -h exits 3 after printing its usage: it exists.
      if ((err as { status?: number }).status === 3) return candidate;
    }
  }
  return undefined;
}

function versionOf(binary: string, name: keyof typeof BINARIES): string {
  const out = (() => {
    try {
      return execFileSync(binary, [name === "mosquitto" ? "-h" : "--version"], { encoding: "utf8", timeout: 5000 });
    } catch (err) {
      return String((err as { stdout?: string }).stdout ?? "");
    }
  })();
  return /(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? "unknown";
}

/** A free loopback port: bound to 0, read, released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within 10 s`);
}

const started = new Set<ChildProcess>();
// A bench that throws or is interrupted must not leave a broker behind: kill what is left, by pid.
process.once("exit", () => {
  for (const child of started) if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
});

async function launch(name: keyof typeof BINARIES, binary: string, args: (port: number, dir: string) => string[]) {
  const dir = mkdtempSync(join(tmpdir(), `nexus-bench-${name}-`));
  const port = await freePort();
  const child = spawn(binary, args(port, dir), { stdio: ["ignore", "ignore", "pipe"] });
  started.add(child);
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr = (stderr + String(d)).slice(-2000);
  });
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGKILL");
    started.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, name);
  } catch (err) {
    stop();
    throw new Error(`${(err as Error).message}${stderr ? `: ${stderr.trim()}` : ""}`);
  }
  return { name, version: versionOf(binary, name), port, pid: child.pid!, stop } satisfies PeerServer;
}

/**
 * Starts mosquitto and nats-server on free loopback ports, each with a config of its own (anonymous,
 * no persistence). A server whose binary is missing is left out and named in `missing`.
 *
 * @example
 * ```ts
 * const { servers, missing } = await startPeers();
 * try { ... } finally { for (const s of servers) s.stop(); }
 * ```
 */
export async function startPeers(): Promise<{ servers: PeerServer[]; missing: string[] }> {
  const servers: PeerServer[] = [];
  const missing: string[] = [];
  try {
    const mosquitto = which("mosquitto");
    if (!mosquitto) missing.push("mosquitto");
    else {
      servers.push(
        await launch("mosquitto", mosquitto, (port, dir) => {
          const conf = join(dir, "mosquitto.conf");
          writeFileSync(
            conf,
            `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\nset_tcp_nodelay true\n`,
          );
          return ["-c", conf];
        }),
      );
    }
    const nats = which("nats-server");
    if (!nats) missing.push("nats-server");
    else servers.push(await launch("nats-server", nats, (port) => ["-a", "127.0.0.1", "-p", String(port)]));
  } catch (err) {
    for (const s of servers) s.stop();
    throw err;
  }
  return { servers, missing };
}
