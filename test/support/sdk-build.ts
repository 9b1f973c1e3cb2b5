import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const OUT = join(ROOT, "sdk", "dist", "index.js");
const SOURCES = join(ROOT, "sdk", "src");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Makes sure sdk/dist/index.js is a browser build of the current sdk/src, which the console loads
 * from /sdk/index.js. startLocalStack() copies sdk/dist into public/, so this must run first.
 * Builds with esbuild only when the file is missing, is the package's placeholder, or is older
 * than the sources, so a fresh build from the SDK's own script is left alone.
 *
 * @example
 * beforeAll(async () => { await ensureSdkBuild(); stack = await startStack(); });
 */
export async function ensureSdkBuild(): Promise<void> {
  const fresh = existsSync(OUT) && /\bconnect\b/.test(readFileSync(OUT, "utf8")) && statSync(OUT).mtimeMs >= newestMtime(SOURCES);
  if (fresh) return;
  await build({
    entryPoints: [join(SOURCES, "index.ts")],
    outfile: OUT,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    // The Node fallback transport is never loaded in a browser, which has a global WebSocket.
    external: ["ws"],
    logLevel: "error",
  });
}
