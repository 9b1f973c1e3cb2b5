// Runs measureBridge against a fresh local stack: npx tsx bridge/bench/latency.ts
import { startStack } from "../../test/support/stack";
import { measureBridge } from "./measure";

const stack = await startStack({ bridge: true, vars: { NEXUS_RATE_PER_SEC: "1000000", NEXUS_RATE_BURST: "1000000" } });
try {
  await stack.createApp("benchbridge", "u1");
  const token = await stack.token({ uid: "u1", app: "benchbridge" });
  for (const [version, qos] of [
    [4, 0],
    [5, 0],
    [5, 1],
  ] as const) {
    const figures = await measureBridge({
      mqttPort: stack.mqttPort!,
      edgeUrl: stack.httpUrl,
      token,
      app: "benchbridge",
      version,
      qos,
    });
    console.log(JSON.stringify(figures));
  }
} finally {
  await stack.stop();
}
