import { connect, type NexusClient } from "@qe/nexus-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BridgeProcess, startBridgeProcess } from "../bridge/bridge-process";
import { startStack, type TestStack } from "../support/stack";
import { FaultDevice } from "./support/fault-device";
import { until } from "./support/until";

// Workers (devices included) ping every pingIntervalMs; the edge closes one silent for three intervals
// (4002). A short interval keeps the hung-bridge case quick; a killed bridge does not depend on it.
const PING_MS = 1000;
const APP = "bkill";

let s: TestStack;
let owner: NexusClient;
const bridges: BridgeProcess[] = [];
const devices: FaultDevice[] = [];

beforeAll(async () => {
  s = await startStack({ vars: { NEXUS_PING_INTERVAL_MS: String(PING_MS) } });
  await s.createApp(APP, "owner");
  owner = await connect({ url: s.httpUrl, token: await s.token({ uid: "owner", app: APP }), kind: "webuo" });
});

afterAll(async () => {
  await Promise.all(devices.map((d) => d.end().catch(() => {})));
  for (const b of bridges) await b.stop("SIGKILL");
  await owner?.close();
  await s?.stop();
});

/** The devices whose resource starts with `prefix` that the edge lists in Find right now. */
async function devicesInFind(prefix: string): Promise<string[]> {
  const blocks = await owner.find({ app: APP, kind: "device", scope: "app" });
  return blocks
    .map((b) => b.resource)
    .filter((r) => r.startsWith(prefix))
    .sort();
}

async function startDevices(bridge: BridgeProcess, names: string[], channel: string): Promise<FaultDevice[]> {
  const token = await s.token({ uid: "owner", app: APP });
  const started = await Promise.all(
    names.map((username, i) =>
      FaultDevice.connect({ port: bridge.port, token, username, version: i % 2 ? 5 : 4, method: "ping", channel }),
    ),
  );
  devices.push(...started);
  return started;
}

describe("the bridge killed with SIGKILL", () => {
  it("leaves no ghost device in Find, and its devices reconnect by themselves to a restarted bridge", async () => {
    const first = await startBridgeProcess(s.httpUrl);
    bridges.push(first);
    const names = ["devicekill0", "devicekill1", "devicekill2", "devicekill3"];
    const fleet = await startDevices(first, names, "bkill/news");
    expect(await devicesInFind("devicekill")).toEqual(names);

    const killedAt = performance.now();
    await first.stop("SIGKILL");
    // The kernel closes a killed process's sockets: the edge sees each device's connection end.
    await until(async () => (await devicesInFind("devicekill")).length === 0, "no device left in Find", 3 * PING_MS);
    const ghostMs = performance.now() - killedAt;

    const seen = fleet.map((d) => d.events.length);
    const second = await startBridgeProcess(s.httpUrl, ["--port", String(first.port)]);
    bridges.push(second);
    const listeningAt = performance.now();
    const reconnects = await Promise.all(fleet.map((d, i) => d.next((e) => e.event === "connect", "a reconnect", seen[i])));
    const reconnectMs = Math.max(...reconnects.map((e) => e.at)) - listeningAt;
    // Back at the edge with what they serve and subscribe (MQTT.js resubscribes by itself).
    await until(async () => (await devicesInFind("devicekill")).length === names.length, "every device in Find again", 30_000);
    const servedAgain = await Promise.all(
      names.map((resource, i) =>
        until(
          () => owner.api(APP, "ping", i, { resource, timeoutMs: 2000 }).catch(() => undefined),
          `${resource} serving`,
          30_000,
        ),
      ),
    );
    expect(servedAgain).toEqual(names.map((_, i) => ({ by: "device", data: i })));
    const restoredMs = performance.now() - listeningAt;
    await owner.publish("bkill/news", "after the restart", { ack: true });
    await Promise.all(fleet.map((d) => d.next((e) => e.event === "msg" && e.text === "after the restart", "the message")));
    expect(fleet.map((d) => d.messages().filter((t) => t === "after the restart").length)).toEqual([1, 1, 1, 1]);

    console.log(
      `[faults] bridge SIGKILL: no ghost in Find after ${ghostMs.toFixed(0)} ms; devices reconnected ${reconnectMs.toFixed(0)} ms ` +
        `after the new bridge listened, serving and subscribed again after ${restoredMs.toFixed(0)} ms`,
    );
  });

  it("a hung bridge (SIGSTOP, sockets left open) loses its devices from Find after three missed ping intervals", async () => {
    const bridge = await startBridgeProcess(s.httpUrl);
    bridges.push(bridge);
    const names = ["devicehung0", "devicehung1"];
    await startDevices(bridge, names, "bkill/hung");
    expect(await devicesInFind("devicehung")).toEqual(names);

    const stoppedAt = performance.now();
    bridge.child.kill("SIGSTOP");
    // Nothing closes the sockets: the edge's keepalive does (4002 after 3 silent intervals, checked each interval).
    await until(async () => (await devicesInFind("devicehung")).length === 0, "no device left in Find", 5 * PING_MS + 5000);
    const ghostMs = performance.now() - stoppedAt;
    console.log(`[faults] bridge hung (SIGSTOP): no ghost in Find after ${ghostMs.toFixed(0)} ms with pingIntervalMs ${PING_MS}`);
    expect(ghostMs).toBeGreaterThanOrEqual(2 * PING_MS); // the keepalive, not a socket close, removed them
    await bridge.stop("SIGKILL");
  });
});
