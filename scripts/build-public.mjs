// wrangler's [build] command (wrangler.toml): `wrangler deploy` and `wrangler dev` run it first, so
// ./public (the console, the example pages, the SDK's browser build) exists even on a fresh clone.
// Local stacks (scripts/local-stack.ts) run wrangler too, but each assembles its own assets folder;
// they set NEXUS_SKIP_ASSETS_BUILD so this returns at once instead of rebuilding the shared one.
if (process.env.NEXUS_SKIP_ASSETS_BUILD !== "1") {
  const { register } = await import("tsx/esm/api");
  register();
  const { ensureSdkBuild } = await import("./sdk-build.ts");
  const { buildAssets } = await import("./build-assets.ts");
  await ensureSdkBuild();
  console.log(`built ${buildAssets()}`);
}
