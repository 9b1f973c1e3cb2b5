#!/usr/bin/env node
// The `nexus` command: runs the bundle dist/cli/nexus.mjs (built by `npm run build`), and builds it
// first when it is missing or older than any of its inputs, so it always runs the code in this
// checkout. The check stats the bundle's inputs (about a hundred files): a millisecond or two.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bundle = `${root}dist/cli/nexus.mjs`;

function isFresh() {
  try {
    const built = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(`${root}dist/cli/inputs.json`, "utf8"));
    return inputs.every((input) => statSync(`${root}${input}`).mtimeMs <= built);
  } catch {
    return false;
  }
}

if (!isFresh()) {
  const { buildCli } = await import("./build.mjs");
  await buildCli();
}
process.env.NEXUS_CLI_MAIN = "1";
await import(bundle);
