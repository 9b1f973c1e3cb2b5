import { connect as connectSdk } from "@qe/nexus-sdk";
import mqtt from "mqtt";

/** What `measureBridge` reports; latencies in milliseconds. */
export interface BridgeFigures {
  version: 4 | 5;
  qos: 0 | 1;
  publishLatency: { p50: number; p99: number; count: number };
  msgsPerSec: number;
  apiRoundTrip: { p50: number; p99: number; count: number };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/**
 * Measures a running stack's bridge: a device's publish to a WebSocket (SDK) subscriber, one at a time
 * (latency p50/p99) and `window` in flight (msgs/s), and a device's API call to an SDK worker (round trip).
 *
 * @example
 * ```ts
 * const figures = await measureBridge({ mqttPort: 1883, edgeUrl: "http://127.0.0.1:8787", token, app: "bench", version: 5, qos: 1 });
 * ```
 */
export async function measureBridge(o: {
  mqttPort: number;
  edgeUrl: string;
  token: string;
  app: string;
  version: 4 | 5;
  qos: 0 | 1;
  count?: number;
  window?: number;
}): Promise<BridgeFigures> {
  const count = o.count ?? 2000;
  const window = o.window ?? 64;
  const channel = `bench-bridge-${o.version}-${o.qos}-${Date.now()}`;
  const sdk = await connectSdk({ url: o.edgeUrl, token: o.token, kind: "default" });
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${o.mqttPort}`, {
    protocolVersion: o.version,
    username: `devicebench${o.version}${o.qos}`,
    password: o.token,
    reconnectPeriod: 0,
  });
  // MQTT.js leaves Nagle on: a PUBACK followed by the next PUBLISH would wait for the bridge's delayed ACK (~40 ms).
  (device.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  try {
    const arrivals = new Map<number, () => void>();
    await sdk.subscribe(channel, (text) => arrivals.get(Number(text))?.());
    const publishOne = (k: number) =>
      new Promise<void>((resolve) => {
        arrivals.set(k, () => {
          arrivals.delete(k);
          resolve();
        });
        device.publish(`nexus/channel/${channel}`, String(k), { qos: o.qos });
      });

    for (let k = 0; k < 200; k++) await publishOne(-1 - k); // warm-up
    const latencies: number[] = [];
    for (let k = 0; k < count; k++) {
      const t0 = performance.now();
      await publishOne(k);
      latencies.push(performance.now() - t0);
    }

    const total = count * 5;
    let next = count;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: window }, async () => {
        while (next < count + total) await publishOne(next++);
      }),
    );
    const msgsPerSec = total / ((performance.now() - start) / 1000);

    await sdk.serve("echo", (data) => data);
    await device.subscribeAsync("nexus/api-result/+");
    const answers = new Map<string, () => void>();
    device.on("message", (topic) => answers.get(topic.slice("nexus/api-result/".length))?.());
    const rtts: number[] = [];
    for (let k = 0; k < Math.min(count, 1000); k++) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        answers.set(String(k), resolve);
        device.publish(`nexus/api/${o.app}/echo`, JSON.stringify({ id: String(k), data: k }), { qos: o.qos });
      });
      rtts.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    rtts.sort((a, b) => a - b);
    return {
      version: o.version,
      qos: o.qos,
      publishLatency: { p50: pct(latencies, 50), p99: pct(latencies, 99), count: latencies.length },
      msgsPerSec,
      apiRoundTrip: { p50: pct(rtts, 50), p99: pct(rtts, 99), count: rtts.length },
    };
  } finally {
    await device.endAsync();
    await sdk.close();
  }
}
