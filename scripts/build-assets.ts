import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Assembles ./public, the edge's static assets: the console (console/), the SDK's example pages
 * (examples/*.html, under /examples/) and the SDK's browser build (sdk/dist, under /sdk/).
 * `wrangler deploy` uploads ./public; each local stack gets its own copy (wrangler reloads a running
 * stack when its assets folder changes, so stacks must never share one).
 */
export function buildAssets(out: string = join(ROOT, "public")): string {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const consoleDir = join(ROOT, "console");
  if (existsSync(consoleDir)) cpSync(consoleDir, out, { recursive: true });
  else writeFileSync(join(out, "index.html"), "<!doctype html><title>Nexus</title><p>Nexus edge</p>\n");
  const examples = join(ROOT, "examples");
  if (existsSync(examples)) {
    mkdirSync(join(out, "examples"), { recursive: true });
    for (const name of readdirSync(examples)) {
      if (name.endsWith(".html") || name.endsWith(".css")) cpSync(join(examples, name), join(out, "examples", name));
    }
  }
  const sdkDist = join(ROOT, "sdk", "dist");
  if (existsSync(sdkDist)) cpSync(sdkDist, join(out, "sdk"), { recursive: true });
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) buildAssets();
