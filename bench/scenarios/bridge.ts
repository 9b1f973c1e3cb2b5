import { existsSync } from "node:fs";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { APP_A, type Baseline, type BenchContext, type Figure, OWNER_A, scaled } from "../context";
import { runWindow } from "../loop";
import { summarise } from "../stats";
import { measureEcho } from "./echo";
import { workerPair } from "./workers";

/**
 * True when the MQTT bridge exists in this checkout (it is built separately, in bridge/).
 *
 * @example
 * ```ts
 * if (!bridgeAvailable()) console.log("bridge not available");
 * ```
 */
export function bridgeAvailable(): boolean {
  return existsSync(fileURLToPath(new URL("../../bridge/src/index.ts", import.meta.url)));
}

async function connectDevice(ctx: BenchContext, port: number, resource: string): Promise<mqtt.MqttClient> {
  const password = await ctx.token({ uid: OWNER_A, app: APP_A });
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 4,
    clientId: `bench-${resource}`,
    username: resource,
    password,
    reconnectPeriod: 0,
  });
  // MQTT.js leaves Nagle on: with several small PUBLISHes in flight each would wait for the previous
  // one's TCP ack (about 40 ms), so the bench would measure the device's TCP stack, not the bridge.
  (device.stream as Socket).setNoDelay(true);
  return device;
}

/**
 * Scenario 5: a device on the MQTT bridge publishes to a channel that a WebSocket block subscribes to
 * (serial latency and 64 in flight), and calls a WebSocket worker's API (MQTT 3.1.1 style:
 * `id` in the payload, answer on `nexus/api-result/<id>`). Floors as for channels and the API, from
 * an echo measured right before in the same runtime. The bench starts the bridge itself, in this
 * process (as `npm start` does), pointed at the runtime directly: no dev proxy between bridge and edge.
 *
 * @example
 * ```ts
 * if (bridgeAvailable()) figures.push(...(await benchBridge(ctx)));
 * ```
 */
export async function benchBridge(ctx: BenchContext): Promise<Figure[]> {
  const baseline = await measureEcho(ctx);
  const { startBridge } = await import("../../bridge/src/index");
  const bridge = await startBridge({ host: "127.0.0.1", port: 0, wsPort: 0, edgeUrl: ctx.edgeUrl });
  try {
    return await measureBridge(ctx, baseline, bridge.port);
  } finally {
    await bridge.close();
  }
}

async function measureBridge(ctx: BenchContext, baseline: Baseline, port: number): Promise<Figure[]> {
  const channel = `bench.bridge.${Date.now()}`;
  const device = await connectDevice(ctx, port, "deviceBench1");
  const pair = await workerPair(ctx, "same");
  try {
    await pair.sender.expectAck({ t: "sub", channel });
    const topic = `nexus/channel/${channel}`;
    const sendPub = (k: number) => device.publish(topic, String(k), { qos: 0 });
    const attachPub = (done: (k: number) => void) => {
      pair.sender.onFrame = (f) => {
        if (f.t === "msg") done(Number(f.data));
      };
    };
    await runWindow({ count: 500, maxMs: 1000, window: 16, send: sendPub, attach: attachPub });
    const pubSerial = await runWindow({
      count: scaled(ctx, 3000),
      maxMs: ctx.maxMs,
      window: 1,
      send: sendPub,
      attach: attachPub,
    });
    const pubPiped = await runWindow({
      count: scaled(ctx, 50_000),
      maxMs: ctx.maxMs,
      window: 64,
      send: sendPub,
      attach: attachPub,
    });

    await device.subscribeAsync("nexus/api-result/+");
    const sendCall = (k: number) => device.publish(`nexus/api/${APP_A}/echo`, JSON.stringify({ id: String(k), data: k }));
    const attachCall = (done: (k: number) => void, fail: (reason: string) => void) => {
      device.removeAllListeners("message");
      device.on("message", (t, payload) => {
        const answer = JSON.parse(payload.toString()) as { ok?: boolean };
        if (answer.ok !== true) fail(`device call failed: ${payload}`);
        else done(Number(t.slice("nexus/api-result/".length)));
      });
    };
    await runWindow({ count: 200, maxMs: 1000, window: 8, send: sendCall, attach: attachCall });
    const call = await runWindow({ count: scaled(ctx, 3000), maxMs: ctx.maxMs, window: 1, send: sendCall, attach: attachCall });

    const pubLatency = summarise(pubSerial.latencies);
    const callLatency = summarise(call.latencies);
    return [
      {
        scenario: "Bridge, device publish to WebSocket",
        metric: "latency p50",
        unit: "ms",
        value: pubLatency.p50,
        floor: baseline.serial.p50,
        floorLabel: "echo RTT",
        better: "lower",
        latency: pubLatency,
        floorCurve: baseline.serial.curve,
      },
      {
        scenario: "Bridge, device publish to WebSocket",
        metric: "latency p99",
        unit: "ms",
        value: pubLatency.p99,
        floor: baseline.serial.p99,
        floorLabel: "echo RTT",
        better: "lower",
      },
      {
        scenario: "Bridge, device publish to WebSocket",
        metric: "msgs/s (64 in flight)",
        unit: "msg/s",
        value: (pubPiped.completed / pubPiped.elapsedMs) * 1000,
        floor: baseline.msgsPerSec,
        floorLabel: "echo msgs/s",
        better: "higher",
      },
      {
        scenario: "Bridge, device API call",
        metric: "round trip p50",
        unit: "ms",
        value: callLatency.p50,
        floor: 2 * baseline.serial.p50,
        floorLabel: "2 echo round trips",
        better: "lower",
        latency: callLatency,
        floorCurve: baseline.serial.curve.map((v) => 2 * v),
      },
      {
        scenario: "Bridge, device API call",
        metric: "round trip p99",
        unit: "ms",
        value: callLatency.p99,
        floor: 2 * baseline.serial.p99,
        floorLabel: "2 echo round trips",
        better: "lower",
      },
    ];
  } finally {
    await device.endAsync();
    await pair.close();
  }
}
