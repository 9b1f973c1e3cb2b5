// Plain JavaScript, so `npm start` can check its ports before it loads anything else (tsx, wrangler):
// a busy port must be reported at once. Types in port-check.d.mts.
import { createServer } from "node:net";

function isFree(host, port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * The first line of trouble among the ports, or undefined when every one can be listened on:
 * `port 8787 is in use; set NEXUS_PORT`. Port 0 (any free port) is always fine.
 *
 * @example
 * const busy = await firstBusyPort("127.0.0.1", [{ port: 8787, variable: "NEXUS_PORT" }]);
 * if (busy) { console.error(busy); process.exit(1); }
 */
export async function firstBusyPort(host, needs) {
  const seen = new Map();
  for (const { port, variable } of needs) {
    if (port === 0) continue;
    if (!Number.isInteger(port) || port < 0 || port > 65535) return `${variable}=${port} is not a port number`;
    const other = seen.get(port);
    if (other) return `${variable} and ${other} are both ${port}; set one of them to another port`;
    seen.set(port, variable);
    if (!(await isFree(host, port))) return `port ${port} is in use; set ${variable}`;
  }
  return undefined;
}

/**
 * What `npm start` listens on, from the environment (docs/protocol.md "Running locally").
 *
 * @example
 * const { host, port, mqttPort, mqttWsPort } = startPorts(process.env);
 */
export function startPorts(env) {
  const host = env.NEXUS_HOST || "127.0.0.1";
  const port = Number(env.NEXUS_PORT || 8787);
  const mqttPort = Number(env.NEXUS_MQTT_PORT || 1883);
  const mqttWsPort = env.NEXUS_MQTT_WS_PORT ? Number(env.NEXUS_MQTT_WS_PORT) : mqttPort === 0 ? 0 : mqttPort + 1;
  const needs = [{ port, variable: "NEXUS_PORT" }];
  if (mqttPort !== 0) {
    needs.push({ port: mqttPort, variable: "NEXUS_MQTT_PORT" }, { port: mqttWsPort, variable: "NEXUS_MQTT_WS_PORT" });
  }
  return { host, port, mqttPort, mqttWsPort, needs };
}
