import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

function clockTicks(): number {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** CPU time (user + system) of a process so far, in seconds, from /proc; NaN once it is gone. */
function cpuSeconds(pid: number, ticks: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return Number.NaN;
  }
}

/**
 * How busy processes were since the last reading, in percent of one core (200 = both cores of two):
 * the edge's workerd, read from /proc, and this process (the soak's clients), from `process.cpuUsage`.
 * Tells whether the edge or the load generator was the bottleneck.
 *
 * @example
 * ```ts
 * const cpu = new CpuMeter(runtimePid);
 * setInterval(() => console.log(cpu.read()), 1000); // { edgeCpuPct: 63.2, clientCpuPct: 41.0 }
 * ```
 */
export class CpuMeter {
  private readonly ticks = clockTicks();
  private last: { at: number; edge: number; client: NodeJS.CpuUsage };

  constructor(private readonly edgePid: number) {
    this.last = { at: performance.now(), edge: cpuSeconds(edgePid, this.ticks), client: process.cpuUsage() };
  }

  read(): { edgeCpuPct: number; clientCpuPct: number } {
    const at = performance.now();
    const edge = cpuSeconds(this.edgePid, this.ticks);
    const client = process.cpuUsage();
    const wall = (at - this.last.at) / 1000;
    const used = process.cpuUsage(this.last.client);
    const out = {
      edgeCpuPct: wall > 0 ? ((edge - this.last.edge) / wall) * 100 : Number.NaN,
      clientCpuPct: wall > 0 ? ((used.user + used.system) / 1e6 / wall) * 100 : Number.NaN,
    };
    this.last = { at, edge, client };
    return out;
  }
}
