import type { SoakSample } from "./soak-metrics";

/** Where the progress goes: a terminal (one line, redrawn) or a log (a line now and then). */
export interface ProgressOut {
  isTTY?: boolean;
  write(text: string): unknown;
}

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
const num = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : "-");

/**
 * The soak's progress on stderr: on a terminal a bar redrawn every second; otherwise (CI, a pipe)
 * one plain line every `logEverySec` seconds, so logs stay readable.
 *
 * @example
 * ```ts
 * const bar = new ProgressBar(process.stderr, 600);
 * bar.update(sample); // [#####.........] 1:00/10:00 conns 998 calls/s 330 ...
 * bar.done();
 * ```
 */
export class ProgressBar {
  private lastLogged = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly out: ProgressOut,
    private readonly totalSec: number,
    private readonly logEverySec = 30,
  ) {}

  /** Shows the latest sample. */
  update(s: SoakSample): void {
    const errors = Object.values(s.errors).reduce((a, b) => a + b, 0);
    const figures = `conns ${s.connections}  calls/s ${s.callsPerSec}  deliv/s ${s.deliveriesPerSec}  call p50/p99 ${num(s.callP50, 1)}/${num(s.callP99, 1)} ms  errors/s ${errors}  RSS ${num(s.rssMiB)} MiB  CPU edge/clients ${num(s.edgeCpuPct)}/${num(s.clientCpuPct)} %`;
    const at = `${clock(s.t)}/${clock(this.totalSec)}`;
    if (this.out.isTTY) {
      const width = 24;
      const filled = Math.min(width, Math.round((s.t / this.totalSec) * width));
      this.out.write(`\r\x1b[2K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${at}  ${figures}`);
    } else if (s.t - this.lastLogged >= this.logEverySec) {
      this.lastLogged = s.t;
      this.out.write(`soak ${at}  ${figures}\n`);
    }
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.out.isTTY) this.out.write("\n");
  }
}
