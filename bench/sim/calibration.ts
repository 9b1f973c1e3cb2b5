/**
 * What the model knows, and where each figure comes from:
 * - `MEASURED`: `npm run bench` on this machine (2 cores), run of 2026-12-01 06:12 UTC on main
 *   (683b0ad), placement "separate" (workerd alone on core 1, so its figures are workerd's CPU);
 *   load average 0.57 at the start. Every figure moves by about ±20 % between runs (docs/performance.md).
 *   The heap per connection is from `npm run sim:heap` on the same day.
 * - `CLOUDFLARE`: the published limits of Durable Objects and Workers, with their pages.
 * - `QUOTAS`: the defaults of contract revision 2 (`welcome.limits` and the per-connection rate).
 * `deriveCosts` turns the measured rates into per-operation CPU costs; every step is one line below.
 */

/** Bench figures (separate placement); each is what `npm run bench` printed for that row. */
export const MEASURED = {
  source: "npm run bench, 2026-12-01T06:12:41Z, main 683b0ad, separate cores (client core 0, workerd core 1)",
  echoMsgsPerSec: 42_052, // Baseline: DO WebSocket echo, msgs/s (64 in flight)
  echoRttP50Ms: 0.149, // Baseline: DO WebSocket echo, serial round trip p50
  directWithinPerSec: 34_005, // Direct, within one app, msgs/s (64 in flight)
  directAcrossPerSec: 9_245, // Direct, across apps, msgs/s (64 in flight)
  apiWithinPerSec: 10_847, // API, within one app, calls/s (64 in flight)
  apiWithinP50Ms: 0.292, // API, within one app, serial round trip p50
  apiAcrossPerSec: 4_359, // API, across apps, calls/s (64 in flight)
  channel1to1PerSec: 2_099, // Channel, 1 to 1, deliveries/s (8 publishes in flight)
  channel1to100PerSec: 56_535, // Channel, 1 to 100, deliveries/s (8 publishes in flight)
  channel1to1000PerSec: 38_496, // Channel, 1 to 1,000, deliveries/s: out of sample, not used to derive
  connectsPerSec: 556, // Connections, 10,000 idle, connections/s (250 at a time)
  // `npm run sim:heap` (bench/sim/heap-probe.ts), 2026-12-01 06:55 UTC: isolate heap per Nexus connection
  // at 1,000 / 4,000 / 10,000 connections: 3,237 / 2,286 / 1,887 bytes (the echo: 1,039 at 4,000). The
  // largest is kept. The bench's 178.7 KiB of workerd RSS per socket is mostly the runtime's own, outside the isolate.
  heapPerConnBytes: 3_237,
  bridgeApiP50SharedMs: 0.342, // Bridge, device API call, round trip p50, shared cores
  apiWithinP50SharedMs: 0.209, // API, within one app, serial round trip p50, shared cores
} as const;

/** Cloudflare's published limits that the model applies, with the page each is on. */
export const CLOUDFLARE = {
  maxWebSocketsPerObject: 32_768, // "permits a maximum of 32,768 WebSocket connections per Durable Object" (hibernation API)
  softRequestsPerSec: 1_000, // "An individual Object has a soft limit of 1,000 requests per second"
  memoryPerIsolateBytes: 128 * 1024 * 1024, // Workers memory: 128 MB per isolate (DOs are Workers)
  cpuPerRequestMs: 30_000, // DO CPU per request or WebSocket message: 30 s default, up to 5 min
  subrequestsPerRequest: 10_000, // Workers Paid subrequests per request (1,000 on older plans)
  storagePerObjectBytes: 10e9, // SQLite-backed DO: 10 GB per object
  sources: {
    websockets: "https://developers.cloudflare.com/durable-objects/api/state/#acceptwebsocket",
    requests:
      "https://developers.cloudflare.com/durable-objects/platform/limits/ (FAQ: How much work can a single Durable Object do?)",
    memory: "https://developers.cloudflare.com/workers/platform/limits/#memory",
    cpu: "https://developers.cloudflare.com/durable-objects/platform/limits/",
    subrequests: "https://developers.cloudflare.com/workers/platform/limits/#subrequests",
  },
} as const;

/** Contract revision 2 defaults (docs/protocol.md; `welcome.limits`). */
export const QUOTAS = {
  maxSubscriptions: 1000,
  maxPendingCalls: 1000,
  maxServedMethods: 256,
  maxBlocksPerUser: 100,
  framesPerSecPerConnection: 2000,
} as const;

/** Linux's default ephemeral port range (32768-60999): outgoing connections per (source IP, destination). */
export const EPHEMERAL_PORTS = 28_232;

/** Per-operation CPU costs in microseconds of one workerd thread, and the fixed delays in ms. */
export interface Costs {
  /** A WebSocket frame received and dispatched into the object. */
  wsIn: number;
  /** A WebSocket frame sent from the object. */
  wsOut: number;
  /** A Direct's routing (lookup, `from` stamp) beyond the echo's work. */
  routeDirect: number;
  /** An API call's routing and pending-call bookkeeping beyond two echo passes. */
  routeApi: number;
  /** A Durable Object RPC, per side (caller and callee each pay it): fixed part per call... */
  rpcCall: number;
  /** ...and per item it carries (batches carry many). */
  rpcItem: number;
  /** The channel object's work per publish batch (seq commit, member loop), fitted: see `fit.ts`. */
  channelBatch: number;
  /** Accepting one connection in the app object (token check included, conservatively). */
  connect: number;
  /** The MQTT bridge's work per message passing through it (parse, frame, forward). */
  bridgePass: number;
  /** Isolate heap per connection, bytes (what counts against 128 MB), measured by the heap probe. */
  heapPerConn: number;
  /** One direction of a client's WebSocket hop (loopback here), ms. */
  wireMs: number;
}

/**
 * Derives the per-operation costs from the measured rates. Each throughput loop saturates workerd's
 * one core, so 1 / rate is the CPU one unit of work costs there.
 *
 * @example
 * ```ts
 * const costs = deriveCosts(); // costs.wsIn + costs.wsOut === 1e6 / MEASURED.echoMsgsPerSec
 * ```
 */
export function deriveCosts(m = MEASURED, channelBatch = 0): Costs {
  const us = (perSec: number) => 1e6 / perSec;
  const echo = us(m.echoMsgsPerSec); // wsIn + wsOut
  // Each extra subscriber on one member app costs one send: the 1-to-100 publish minus the 1-to-1 one.
  const wsOut = (us(m.channel1to100PerSec / 100) - us(m.channel1to1PerSec)) / 99;
  const routeDirect = us(m.directWithinPerSec) - echo;
  const routeApi = us(m.apiWithinPerSec) - 2 * echo;
  // An unbatched cross-app call adds one RPC (both sides): per side, rpcCall + rpcItem.
  const rpcSide = (us(m.apiAcrossPerSec) - us(m.apiWithinPerSec)) / 2;
  // Cross-app Directs are batched (64 in flight: large batches), so their extra cost is the per-item part.
  const rpcItem = (us(m.directAcrossPerSec) - us(m.directWithinPerSec)) / 2;
  return {
    wsIn: echo - wsOut,
    wsOut,
    routeDirect,
    routeApi,
    rpcCall: rpcSide - rpcItem,
    rpcItem,
    channelBatch,
    connect: us(m.connectsPerSec),
    // A device's API call through the bridge is two passes more than a WebSocket client's call
    // (shared cores: no cross-core wake-ups in the difference); the extra loopback hop is counted in.
    bridgePass: ((m.bridgeApiP50SharedMs - m.apiWithinP50SharedMs) / 2) * 1000,
    heapPerConn: m.heapPerConnBytes,
    wireMs: (m.echoRttP50Ms - echo / 1000) / 2,
  };
}
