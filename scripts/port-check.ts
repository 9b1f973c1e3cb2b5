import { createServer } from "node:net";

/** A port `npm start` will listen on, and the variable that sets it. */
export interface PortNeed {
  port: number;
  variable: string;
}

function isFree(host: string, port: number): Promise<boolean> {
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
 * ```ts
 * const busy = await firstBusyPort("127.0.0.1", [{ port: 8787, variable: "NEXUS_PORT" }]);
 * if (busy) { console.error(busy); process.exit(1); }
 * ```
 */
export async function firstBusyPort(host: string, needs: PortNeed[]): Promise<string | undefined> {
  const seen = new Map<number, string>();
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
