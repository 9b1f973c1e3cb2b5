// Builds the SDK: one ESM bundle (dist/index.js) that runs unchanged in browsers, Node.js 20+, Deno and
// Workers, with the shared protocol modules of ../src bundled in, plus type declarations.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
const require = createRequire(import.meta.url);

/**
 * Builds sdk/dist; resolves when both the bundle and the declarations are written.
 *
 * @example
 * ```ts
 * import { buildSdk } from "../../sdk/build.mjs";
 * await buildSdk(); // sdk/dist/index.js and sdk/dist/index.d.ts
 * ```
 */
export async function buildSdk() {
  // No clean first: other processes (a test's stack start) may be copying dist/ right now; every file is overwritten.
  // Two entries: the public client (index) and the connection core that the MQTT bridge builds on (core).
  const bundle = build({
    entryPoints: { index: `${here}src/index.ts`, core: `${here}src/core.ts` },
    outdir: `${here}dist`,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    // Imported dynamically, only where there is no global WebSocket (Node < 22).
    external: ["ws"],
    sourcemap: true,
    logLevel: "warning",
  });
  const tsc = require.resolve("typescript/bin/tsc");
  const types = promisify(execFile)(process.execPath, [tsc, "-p", `${here}tsconfig.build.json`]);
  await Promise.all([bundle, types]);
  // tsc mirrors the repository layout (sdk/src and the shared src/protocol); re-export from the top.
  writeFileSync(`${here}dist/index.d.ts`, 'export * from "./types/sdk/src/index";\n');
  writeFileSync(`${here}dist/core.d.ts`, 'export * from "./types/sdk/src/core";\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildSdk();
}
