// Bundles the bridge's CLI into one file: dist/bridge/nexus-bridge.mjs (node dist/bridge/nexus-bridge.mjs --edge ...).
import { chmodSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "dist", "bridge", "nexus-bridge.mjs");
mkdirSync(dirname(outfile), { recursive: true });

await build({
  entryPoints: [join(root, "bridge", "src", "cli.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // mqtt-packet and its dependencies are CommonJS and require() Node built-ins; an ESM bundle needs a real require.
  banner: {
    js: 'import { createRequire as __nexusCreateRequire } from "node:module";\nconst require = __nexusCreateRequire(import.meta.url);',
  },
  // ws loads these native speed-ups only if installed.
  external: ["bufferutil", "utf-8-validate"],
  legalComments: "none",
  logLevel: "warning",
});
chmodSync(outfile, 0o755);
console.log(`built ${outfile}`);
