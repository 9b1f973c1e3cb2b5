import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { connectDevice } from "./mqtt-device";

let s: TestStack;
let child: ChildProcess | undefined;

beforeAll(async () => {
  s = await startStack();
  await s.createApp("bcli", "u1");
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await s?.stop();
});

describe("nexus-bridge (cli)", () => {
  it("serves devices against an edge, logs JSON lines, and on SIGTERM tells MQTT 5 devices 0x8B and exits 0", async () => {
    child = spawn(
      process.execPath,
      ["--import", "tsx", "bridge/src/cli.ts", "--edge", s.httpUrl, "--host", "127.0.0.1", "--port", "0", "--ws-port", "0"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const records: Record<string, unknown>[] = [];
    const lines = createInterface({ input: child.stdout! });
    const listening = new Promise<Record<string, unknown>>((resolve) => {
      lines.on("line", (line) => {
        const record = JSON.parse(line) as Record<string, unknown>;
        records.push(record);
        if (record.event === "bridge.listening") resolve(record);
      });
    });
    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
    const { port } = (await listening) as { port: number };

    const token = await s.token({ uid: "u1", app: "bcli" });
    const dev = await connectDevice({ mqttPort: port, mqttWsPort: undefined }, { version: 5, username: "devicecli", token });
    child.kill("SIGTERM");
    expect(await dev.closed).toEqual({ disconnectReason: 0x8b });
    expect(await exited).toBe(0);
    expect(records.map((r) => r.event)).toEqual(
      expect.arrayContaining(["bridge.listening", "device.connected", "bridge.stopping", "bridge.closed"]),
    );
    for (const r of records)
      expect(r).toMatchObject({ at: expect.any(String), level: expect.any(String), event: expect.any(String) });
  });

  it("refuses to start without --edge", async () => {
    const bad = spawn(process.execPath, ["--import", "tsx", "bridge/src/cli.ts", "--port", "0"], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NEXUS_EDGE_URL: "" },
    });
    let stderr = "";
    bad.stderr!.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => bad.on("exit", resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain("--edge");
  });
});
