/** A port `npm start` will listen on, and the variable that sets it. */
export interface PortNeed {
  port: number;
  variable: string;
}

/** The first line of trouble among the ports (`port 8787 is in use; set NEXUS_PORT`), or undefined. */
export function firstBusyPort(host: string, needs: PortNeed[]): Promise<string | undefined>;

/** What `npm start` listens on, from the environment. */
export function startPorts(env: Record<string, string | undefined>): {
  host: string;
  port: number;
  mqttPort: number;
  mqttWsPort: number;
  needs: PortNeed[];
};
