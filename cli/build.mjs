// Bundles the `nexus` command into one file, dist/cli/nexus.mjs, so it starts without transpiling
// (tsx took 0.4-1.4 s per command). `npm run build` runs it; cli/nexus.mjs runs it on demand when the
// bundle is missing or older than one of its inputs (listed in dist/cli/inputs.json).
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const OUTFILE = join(root, "dist", "cli", "nexus.mjs");
export const INPUTS = join(root, "dist", "cli", "inputs.json");

/**
 * Builds dist/cli/nexus.mjs and dist/cli/inputs.json. Writes to temporary names first and renames,
 * so CLIs started meanwhile (tests run several at once) never load half a file.
 *
 * @example
 * ```ts
 * import { buildCli } from "./cli/build.mjs";
 * await buildCli();
 * ```
 */
export async function buildCli() {
  mkdirSync(dirname(OUTFILE), { recursive: true });
  const temp = `${OUTFILE}.${process.pid}.tmp`;
  const result = await build({
    entryPoints: [join(root, "cli", "src", "main.ts")],
    outfile: temp,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    // The SDK from its TypeScript sources, as in the tests: no SDK build needed first.
    conditions: ["source"],
    // cli-progress is CommonJS and require()s Node built-ins; an ESM bundle needs a real require.
    banner: {
      js: 'import { createRequire as __nexusCreateRequire } from "node:module";\nconst require = __nexusCreateRequire(import.meta.url);',
    },
    define: { "process.env.NEXUS_CLI_BUNDLE": '"1"' },
    // ws loads these native speed-ups only if installed; `nexus bench` loads tsx (and the bench) at run time.
    external: ["bufferutil", "utf-8-validate", "tsx", "tsx/*"],
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(root, join(process.cwd(), p)));
  writeFileSync(`${INPUTS}.${process.pid}.tmp`, `${JSON.stringify(inputs)}\n`);
  renameSync(`${INPUTS}.${process.pid}.tmp`, INPUTS);
  renameSync(temp, OUTFILE);
  return OUTFILE;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) console.log(`built ${await buildCli()}`);
