import { relative } from "node:path";
import { loadDevSecrets, MIN_JWT_SECRET_BYTES } from "./dev-secrets";
import type { LocalStack } from "./local-stack";
import { startOrphanGuard } from "./orphan-guard";
import { startPorts } from "./port-check.mjs";

/**
 * `npm start` (after scripts/start.mjs checked every port): the whole local stack in the foreground
 * (edge on one workerd with no dev proxy in front, as in production; MQTT bridge; web console), configured by the environment variables of
 * docs/protocol.md "Running locally", until interrupted. It keeps the development secrets in the data
 * directory, restarts a runtime that dies (or exits non-zero), and never leaves a process behind.
 * `npm run dev` is the same with hot reload (`--watch`: wrangler dev restarts the runtime on changes).
 */
const env = process.env;
// `npm run dev` (--watch): under wrangler dev, which restarts the runtime when src/ changes.
const watch = process.argv.includes("--watch");
const { host, port, mqttPort, mqttWsPort } = startPorts(env);
const dataDir = env.NEXUS_DATA_DIR || ".nexus/data";

function fail(line: string): never {
  process.stderr.write(`nexus: ${line}\n`);
  process.exit(1);
}

if (env.NEXUS_JWT_SECRET && Buffer.byteLength(env.NEXUS_JWT_SECRET) < MIN_JWT_SECRET_BYTES) {
  fail(`NEXUS_JWT_SECRET is ${Buffer.byteLength(env.NEXUS_JWT_SECRET)} bytes; the edge needs at least ${MIN_JWT_SECRET_BYTES}`);
}
// Every other NEXUS_ variable (limits, NEXUS_JWKS_URL, NEXUS_BENCH...) reaches the edge as a var.
const OWN = ["HOST", "PORT", "MQTT_PORT", "MQTT_WS_PORT", "DATA_DIR", "ADMIN_KEY", "JWT_SECRET", "DOMAIN"].map(
  (n) => `NEXUS_${n}`,
);
const vars: Record<string, string> = {};
for (const [name, value] of Object.entries(env))
  if (name.startsWith("NEXUS_") && !OWN.includes(name) && value) vars[name] = value;
const secrets = loadDevSecrets(dataDir, { adminKey: env.NEXUS_ADMIN_KEY, jwtSecret: env.NEXUS_JWT_SECRET });

const guard = startOrphanGuard();
// Loaded only now, so the checks above answer at once (wrangler takes a while to import).
const [{ startLocalStack }, { ensureSdkBuild }, { superviseEdge }] = await Promise.all([
  import("./local-stack"),
  import("./sdk-build"),
  import("./edge-supervisor"),
]);
// The console and the example pages load the SDK's build; a fresh clone has none yet.
await ensureSdkBuild();
let stack: LocalStack;
try {
  stack = await startLocalStack({
    host,
    port,
    mqttPort,
    mqttWsPort,
    adminKey: secrets.adminKey,
    jwtSecret: secrets.jwtSecret,
    domain: env.NEXUS_DOMAIN || undefined,
    persistDir: dataDir,
    vars,
    logLevel: "warn",
    watch,
    bridgeLog: (record) => process.stdout.write(`${JSON.stringify(record)}\n`),
  });
} catch (err) {
  fail(`the stack did not start: ${err instanceof Error ? err.message : String(err)}`);
}
guard.rescan();

const shortPath = relative(process.cwd(), secrets.file);
const keptIn = shortPath.startsWith("..") ? secrets.file : shortPath;
const where = (from: "environment" | "file", variable: string) =>
  from === "environment" ? `(from ${variable})` : `(development value, kept in ${keptIn}; ${variable} overrides it)`;
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
  `  data         ${dataDir}`,
  `  admin key    ${stack.adminKey}   ${where(secrets.adminKeyFrom, "NEXUS_ADMIN_KEY")}`,
  `  JWT secret   ${stack.jwtSecret}   ${where(secrets.jwtSecretFrom, "NEXUS_JWT_SECRET")}`,
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
async function shutdown(why: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  supervisor.stop();
  process.stdout.write(`\n${why}: stopping Nexus...\n`);
  const force = setTimeout(() => process.exit(code || 1), 10_000);
  force.unref();
  await stack.stop().catch(() => {});
  process.exit(code);
}

const supervisor = superviseEdge(stack, {
  log: (line) => process.stdout.write(`${line}\n`),
  onRestarted: () => guard.rescan(),
  onGiveUp: (reason) => {
    process.stderr.write(`nexus: ${reason}; stopping\n`);
    void shutdown("the edge is down", 1);
  },
});
process.on("SIGINT", () => void shutdown("SIGINT", 0));
process.on("SIGTERM", () => void shutdown("SIGTERM", 0));
// A failure inside this process (the bridge runs here) stops the whole stack rather than leave part of it up.
process.on("uncaughtException", (err) => {
  process.stderr.write(`nexus: ${err.stack ?? err.message}\n`);
  void shutdown("a crash", 1);
});
