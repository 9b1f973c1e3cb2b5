import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { workerOptions } from "./edge-runtime";

describe("the local runtime's worker options", () => {
  it("are what wrangler derives from wrangler.toml: name, compatibility, vars, Durable Objects, assets routing", () => {
    const assets = mkdtempSync(join(tmpdir(), "nexus-assets-"));
    const ours = workerOptions(assets);
    const theirs = unstable_getMiniflareWorkerOptions("wrangler.toml", undefined, {
      overrides: { assets: { directory: assets } },
    });
    rmSync(assets, { recursive: true });
    const w = theirs.workerOptions;
    expect(ours.name).toBe("nexus");
    expect(ours.compatibilityDate).toBe(w.compatibilityDate);
    expect(ours.compatibilityFlags).toEqual(w.compatibilityFlags);
    expect(ours.bindings).toEqual(w.bindings);
    expect(ours.durableObjects).toEqual(w.durableObjects);
    expect(ours.assets?.binding).toBe(w.assets?.binding);
    expect(ours.assets?.routerConfig).toEqual(w.assets?.routerConfig);
    expect(theirs.define ?? {}).toEqual({});
  });
});
