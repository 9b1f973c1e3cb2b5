import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
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
 * Makes sure sdk/dist holds a build of the current sdk/src, which the console and the example
 * pages load from /sdk/index.js. startLocalStack() copies sdk/dist into the site, so this runs
 * first (npm start, browser tests). Builds with the SDK's own build only when dist is missing or
 * older than the sources.
 *
 * @example
 * beforeAll(async () => { await ensureSdkBuild(); stack = await startStack(); });
 */
export async function ensureSdkBuild(): Promise<void> {
  const fresh = existsSync(OUT) && /\bconnect\b/.test(readFileSync(OUT, "utf8")) && statSync(OUT).mtimeMs >= newestMtime(SOURCES);
  if (fresh) return;
  const { buildSdk } = await import("../sdk/build.mjs");
  await buildSdk();
}
