import { startLocalStack } from "./local-stack";
import { ensureSdkBuild } from "./sdk-build";

/**
 * `npm start`: the whole local stack in the foreground (edge on workerd, MQTT bridge, web console),
 * configured by the environment variables of the contract's "Running locally", until interrupted.
 */
const env = process.env;
const port = Number(env.NEXUS_PORT ?? 8787);
const mqttPort = Number(env.NEXUS_MQTT_PORT ?? 1883);
const host = env.NEXUS_HOST ?? "127.0.0.1";

// The console and the example pages load the SDK's build; a fresh clone has none yet.
await ensureSdkBuild();
const stack = await startLocalStack({
  host,
  port,
  mqttPort,
  mqttWsPort: env.NEXUS_MQTT_WS_PORT !== undefined ? Number(env.NEXUS_MQTT_WS_PORT) : mqttPort === 0 ? 0 : mqttPort + 1,
  adminKey: env.NEXUS_ADMIN_KEY || undefined,
  jwtSecret: env.NEXUS_JWT_SECRET || undefined,
  domain: env.NEXUS_DOMAIN || undefined,
  persistDir: env.NEXUS_DATA_DIR || ".nexus/data",
  logLevel: "warn",
  bridgeLog: (record) => process.stdout.write(`${JSON.stringify(record)}\n`),
}).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});

const lines = [
  "",
  "Nexus is running.",
  `  console      ${stack.httpUrl}/`,
  `  connect      ${stack.connectUrl}?token=<jwt>&kind=<kind>`,
  `  health       ${stack.httpUrl}/healthz`,
  stack.mqttPort !== undefined
    ? `  MQTT         mqtt://${host}:${stack.mqttPort}   (MQTT over WebSocket: ws://${host}:${stack.mqttWsPort})`
    : "  MQTT         off (NEXUS_MQTT_PORT=0)",
  `  domain       ${stack.domain}`,
  `  admin key    ${stack.adminKey}${env.NEXUS_ADMIN_KEY ? "" : "   (development key; set NEXUS_ADMIN_KEY to choose one)"}`,
  `  JWT secret   ${stack.jwtSecret}${env.NEXUS_JWT_SECRET ? "" : "   (development secret; set NEXUS_JWT_SECRET to choose one)"}`,
  "",
  "Mint a development token:",
  `  curl -s -X POST ${stack.httpUrl}/v1/admin/tokens -H 'authorization: Bearer ${stack.adminKey}' \\`,
  `       -d '{"uid":"682ebf741c055d80a4f15f8b","app":"etest"}'`,
  "",
  "Press Ctrl+C to stop.",
  "",
];
process.stdout.write(lines.join("\n"));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping Nexus...\n`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await stack.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
