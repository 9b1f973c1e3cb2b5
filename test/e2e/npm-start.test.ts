import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { holdPort, type NpmStart, portIsFree, runtimesOf, startNpm, startProcessOf, waitUntilGone } from "../support/npm-start";

const CONSOLE_LINE = /^ {2}console {6}http:\/\/127\.0\.0\.1:(\d+)\/$/m;
const started: NpmStart[] = [];
const dirs: string[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "nexus-start-"));
  dirs.push(dir);
  return dir;
}

function start(env: Record<string, string | undefined>): NpmStart {
  const s = startNpm({ NEXUS_PORT: "0", NEXUS_MQTT_PORT: "0", ...env });
  started.push(s);
  return s;
}

async function running(s: NpmStart): Promise<{ port: number; adminKey: string }> {
  const [, port] = await s.waitFor("stdout", CONSOLE_LINE);
  const [, adminKey] = await s.waitFor("stdout", /admin key {4}(\S+)/);
  return { port: Number(port), adminKey: adminKey! };
}

async function mintToken(port: number, adminKey: string): Promise<string> {
  const headers = { authorization: `Bearer ${adminKey}` };
  const res = await fetch(`http://127.0.0.1:${port}/v1/admin/tokens`, {
    method: "POST",
    headers,
    body: JSON.stringify({ uid: "u1", app: "startapp" }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

function firstFrame(port: number, token: string): Promise<{ t: string }> {
  return new Promise((resolve, reject) => {
    // closeTimeout is a ws option its types omit; workerd holds TCP after a close (docs/protocol.md).
    const options: WebSocket.ClientOptions & { closeTimeout: number } = { closeTimeout: 200 };
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/connect?token=${token}&kind=webuo`, options);
    ws.once("message", (data) => {
      resolve(JSON.parse(String(data)) as { t: string });
      ws.close();
    });
    ws.once("unexpected-response", (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("refuses a busy edge port with one line and a non-zero exit, before starting anything", async () => {
    const held = await holdPort();
    try {
      const s = start({ NEXUS_PORT: String(held.port), NEXUS_DATA_DIR: dataDir() });
      expect(await s.exited).not.toBe(0);
      expect(s.stderr().trim()).toBe(`nexus: port ${held.port} is in use; set NEXUS_PORT`);
      expect(s.stdout()).not.toContain("Nexus is running");
    } finally {
      await held.close();
    }
  });

  it("names the MQTT port's variable when that one is busy", async () => {
    const held = await holdPort();
    try {
      const s = start({ NEXUS_MQTT_PORT: String(held.port), NEXUS_MQTT_WS_PORT: "0", NEXUS_DATA_DIR: dataDir() });
      expect(await s.exited).not.toBe(0);
      expect(s.stderr().trim()).toBe(`nexus: port ${held.port} is in use; set NEXUS_MQTT_PORT`);
    } finally {
      await held.close();
    }
  });

  // Two stacks start one after the other in these two: each gets the time of two starts.
  it("keeps the development admin key and JWT secret in the data directory: tokens survive a restart", {
    timeout: 120_000,
  }, async () => {
    const dir = dataDir();
    const first = start({ NEXUS_DATA_DIR: dir });
    const a = await running(first);
    expect(first.stdout()).toContain(join(dir, "dev-secrets.json"));
    const token = await mintToken(a.port, a.adminKey);
    await first.stop();

    const second = start({ NEXUS_DATA_DIR: dir });
    const b = await running(second);
    expect(b.adminKey).toBe(a.adminKey);
    expect((await firstFrame(b.port, token)).t).toBe("welcome");
  });

  it("lets a key and a secret from the environment win over the kept ones", { timeout: 120_000 }, async () => {
    const dir = dataDir();
    const first = start({ NEXUS_DATA_DIR: dir });
    const kept = await running(first);
    await first.stop();

    const secret = "an-environment-secret-of-at-least-32-bytes";
    const second = start({ NEXUS_DATA_DIR: dir, NEXUS_ADMIN_KEY: "env-admin-key", NEXUS_JWT_SECRET: secret });
    const b = await running(second);
    expect(b.adminKey).toBe("env-admin-key");
    expect(second.stdout()).toContain(`JWT secret   ${secret}   (from NEXUS_JWT_SECRET)`);
    expect(b.adminKey).not.toBe(kept.adminKey);
  });

  it("refuses a JWT secret shorter than 32 bytes with one line", async () => {
    const s = start({ NEXUS_DATA_DIR: dataDir(), NEXUS_JWT_SECRET: "short" });
    expect(await s.exited).not.toBe(0);
    expect(s.stderr().trim()).toBe("nexus: NEXUS_JWT_SECRET is 5 bytes; the edge needs at least 32");
  });

  it("takes its runtime with it when its node process is killed with SIGKILL", async () => {
    const s = start({ NEXUS_DATA_DIR: dataDir() });
    const { port } = await running(s);
    const node = startProcessOf(s);
    const runtimes = runtimesOf(node.pid);
    expect(runtimes.length).toBeGreaterThan(0);

    process.kill(node.pid, "SIGKILL");
    await s.exited;
    await waitUntilGone(runtimes);
    expect(runtimesOf(node.pid)).toEqual([]);
    expect(await portIsFree(port)).toBe(true);
  });

  it("restarts a runtime that dies, on the same port, with a log line", async () => {
    const dir = dataDir();
    const s = start({ NEXUS_DATA_DIR: dir });
    const { port, adminKey } = await running(s);
    const token = await mintToken(port, adminKey);
    const node = startProcessOf(s);
    for (const runtime of runtimesOf(node.pid)) process.kill(runtime.pid, "SIGKILL");

    await s.waitFor("stdout", /exited and \/healthz does not answer; restarting the edge/);
    await s.waitFor("stdout", new RegExp(`the edge is back at http://127\\.0\\.0\\.1:${port}`));
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await firstFrame(port, token)).t).toBe("welcome");
  });
});
