// A Node.js worker on Nexus: serves the API method "sum", logs Directs, publishes a tick every second.
//   NEXUS_URL=http://127.0.0.1:8787 NEXUS_TOKEN=<jwt> npx tsx examples/node-worker.ts
// (NEXUS_CHANNEL picks the channel, "demo/ticks" by default; run `npm run build` once so the SDK is built.)
import { connect, NexusError } from "@qe/nexus-sdk";

const url = process.env.NEXUS_URL ?? "http://127.0.0.1:8787";
const token = process.env.NEXUS_TOKEN;
const channel = process.env.NEXUS_CHANNEL ?? "demo/ticks";
if (!token) {
  console.error("Set NEXUS_TOKEN to a token with app and uid (POST /v1/admin/tokens makes one locally).");
  process.exit(1);
}

const nx = await connect({ url, token, kind: "default" });
nx.on("state", (state) => console.log(`[nexus] ${state}`));
nx.on("error", (err) => console.warn(`[nexus] ${err.code}: ${err.message}`));

await nx.serve("sum", ({ a, b }: { a: number; b: number }) => {
  if (typeof a !== "number" || typeof b !== "number") throw new NexusError("bad_request", "sum needs numbers a and b");
  return { sum: a + b };
});
nx.onDirect((text, ctx) => console.log(`direct from ${ctx.from.jid}: ${text}`));

let n = 0;
const ticker = setInterval(() => {
  nx.publish(channel, `tick ${++n}`).catch((err) => console.warn(`publish failed: ${err.code}`));
}, 1000);

console.log(`worker ${nx.jid} serves "sum" and publishes to "${channel}"; Ctrl+C stops it`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    clearInterval(ticker);
    await nx.close();
    process.exit(0);
  });
}
