// `npm start`: checks every port first, in plain JavaScript (within a few hundred milliseconds, before
// tsx and wrangler load), then runs the stack (scripts/start.ts) through tsx.
import { firstBusyPort, startPorts } from "./port-check.mjs";

const { host, needs } = startPorts(process.env);
const busy = await firstBusyPort(host, needs);
if (busy) {
  process.stderr.write(`nexus: ${busy}\n`);
  process.exit(1);
}
const { register } = await import("tsx/esm/api");
register();
await import("./start.ts");
