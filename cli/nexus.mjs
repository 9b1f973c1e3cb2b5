#!/usr/bin/env node
// The `nexus` command. It runs the TypeScript sources through tsx (a dev dependency, installed by
// `npm ci`), so it always runs the code in this checkout, with no build step of its own.
import { register } from "tsx/esm/api";

register();
process.env.NEXUS_CLI_MAIN = "1";
await import("./src/main.ts");
