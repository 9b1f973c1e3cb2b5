import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { watchOutput } from "../support/child-output";

const NEXUS = fileURLToPath(new URL("../../cli/nexus.mjs", import.meta.url));

/** How a finished CLI run ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running CLI process whose output the test can wait on. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr (or stdout) matches `pattern`; rejects if the process exits first. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves with the result once the process exits. */
  done: Promise<CliRun>;
}

/**
 * Starts the real `nexus` command (cli/nexus.mjs) as a child process. `env` is added to the
 * environment; the SDK resolves to its sources (the "source" condition, as in vitest).
 */
export function startCli(args: string[], env: Record<string, string | undefined> = {}): CliProcess {
  const child = spawn(process.execPath, [NEXUS, ...args], {
    env: {
      ...process.env,
      NEXUS_URL: undefined,
      NEXUS_TOKEN: undefined,
      NEXUS_ADMIN_KEY: undefined,
      NODE_OPTIONS: "--conditions=source",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = watchOutput(child, "nexus");
  return {
    child,
    stdout: output.stdout,
    stderr: output.stderr,
    waitFor: output.waitFor,
    done: output.exited.then((code) => ({ code, stdout: output.stdout(), stderr: output.stderr() })),
  };
}

/**
 * Runs the CLI to completion.
 *
 * @example
 * ```ts
 * const r = await runCli(["pub", "prices", "42"], { NEXUS_URL: s.httpUrl, NEXUS_TOKEN: token });
 * ```
 */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return startCli(args, env).done;
}

/** Stops a CLI process if it still runs, and waits for it. */
export async function stopCli(p: CliProcess | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill("SIGTERM");
  await p.done;
}
