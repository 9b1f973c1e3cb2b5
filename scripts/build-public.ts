// wrangler's [build] command (wrangler.toml): `wrangler deploy` and `wrangler dev` run it first, so
// ./public (the console, the example pages, the SDK's browser build) exists even on a fresh clone.
import { buildAssets } from "./build-assets";
import { ensureSdkBuild } from "./sdk-build";

await ensureSdkBuild();
console.log(`built ${buildAssets()}`);
