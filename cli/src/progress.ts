import cliProgress from "cli-progress";

/** A progress bar on stderr that lets result lines through without tearing it. */
export interface Progress {
  /** Moves the bar to `value`, with an optional label. */
  update(value: number, label?: string): void;
  /** Writes one result line to stdout, or above the bar when stdout is the same terminal. */
  line(text: string): void;
  stop(): void;
}

/**
 * A progress bar of `total` steps. It draws only when stderr is a terminal, so pipes, files and
 * tests see plain output.
 *
 * @example
 * ```ts
 * const p = progress(10, "messages");
 * p.line("hello"); p.update(1); p.stop();
 * ```
 */
export function progress(total: number, unit: string): Progress {
  if (!process.stderr.isTTY) {
    return { update() {}, line: (text) => process.stdout.write(`${text}\n`), stop() {} };
  }
  const multi = new cliProgress.MultiBar(
    { format: `{bar} {value}/{total} ${unit} {label}`, hideCursor: true, clearOnComplete: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const bar = multi.create(total, 0, { label: "" });
  return {
    update: (value, label) => bar.update(value, { label: label ?? "" }),
    line: (text) => {
      // On one terminal, MultiBar.log prints above the bar; otherwise stdout is a pipe and takes the line.
      if (process.stdout.isTTY) multi.log(`${text}\n`);
      else process.stdout.write(`${text}\n`);
    },
    stop: () => multi.stop(),
  };
}
