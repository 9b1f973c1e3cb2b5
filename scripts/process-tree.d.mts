/** One process: pid, parent pid, a start stamp that tells a reused pid apart, and its name. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  start: string;
  name: string;
}

/** Every process on the machine (/proc on Linux, `ps` elsewhere). */
export function listProcesses(): ProcessInfo[];

/** The processes that descend from `pid`, parents first. */
export function descendantsOf(pid: number, all?: ProcessInfo[]): ProcessInfo[];

/** True while `p.pid` is still the process that `p` described. */
export function isSameProcess(p: ProcessInfo): boolean;
