import type { ChildProcess } from "node:child_process";

/** What a test reads from a child process's output while it runs. */
export interface ChildOutput {
  stdout(): string;
  stderr(): string;
  /** Resolves once the stream matches `pattern`; rejects if the process exits first. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the process has exited and its streams are closed. */
  exited: Promise<number | null>;
}

/**
 * Collects a piped child's stdout and stderr, so tests wait for a line instead of sleeping.
 *
 * @example
 * ```ts
 * const out = watchOutput(spawn("npm", ["start"], { stdio: ["ignore", "pipe", "pipe"] }), "npm start");
 * const [, url] = await out.waitFor("stdout", /console {6}(http:\S+)\//);
 * ```
 */
export function watchOutput(child: ChildProcess, name: string): ChildOutput {
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of listeners) l();
  };
  child.stdout!.on("data", (d) => {
    out += d;
    notify();
  });
  child.stderr!.on("data", (d) => {
    err += d;
    notify();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(stream, pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = (stream === "stdout" ? out : err).match(pattern);
          if (m) {
            listeners.delete(check);
            resolve(m);
          }
        };
        listeners.add(check);
        check();
        exited.then((code) => {
          if (listeners.delete(check))
            reject(new Error(`${name} exited ${code} before ${stream} matched ${pattern}:\n${out}\n${err}`));
        });
      });
    },
  };
}
