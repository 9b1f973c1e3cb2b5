import { spawn } from "node:child_process";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";

const WATCHDOG = fileURLToPath(new URL("./watchdog.mjs", import.meta.url));

/** The running guard: tell it to look for new processes now (after a start or a restart). */
export interface OrphanGuard {
  rescan(): void;
}

/**
 * Starts the watchdog (scripts/watchdog.mjs) that stops every process this one started once this
 * one ends, however it ends: it sees this process die when the pipe to its stdin closes, which the
 * kernel does even after SIGKILL. It is unref'd, so it never keeps this process alive.
 *
 * @example
 * ```ts
 * const guard = startOrphanGuard();
 * const stack = await startLocalStack();
 * guard.rescan();
 * ```
 */
export function startOrphanGuard(): OrphanGuard {
  const child = spawn(process.execPath, [WATCHDOG], { stdio: ["pipe", "ignore", "inherit"] });
  child.unref();
  const stdin = child.stdin as unknown as Socket;
  stdin.unref();
  stdin.on("error", () => {});
  return {
    rescan() {
      if (child.exitCode === null) stdin.write("scan\n");
    },
  };
}
