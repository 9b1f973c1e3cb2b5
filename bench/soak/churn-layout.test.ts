import { describe, expect, it } from "vitest";
import { churnApps, SLOTS_PER_APP, slotPlace } from "./churn-layout";

describe("the churn's layout", () => {
  it("stays inside the edge's default per-user and per-app limits", () => {
    const connections = 1000;
    const perUid = new Map<string, number>();
    const perApp = new Map<string, number>();
    for (let slot = 0; slot < connections; slot++) {
      const p = slotPlace(slot, connections);
      const key = `${p.app}/${p.uid}`;
      perUid.set(key, (perUid.get(key) ?? 0) + 1);
      perApp.set(p.app, (perApp.get(p.app) ?? 0) + 1);
      expect(p.channel.startsWith(`${p.app}/`)).toBe(true);
    }
    expect(churnApps(connections).length).toBe(5);
    expect(Math.max(...perApp.values())).toBeLessThanOrEqual(SLOTS_PER_APP);
    // maxBlocksPerUser is 100: the owner's workers hold half of it, users far less.
    for (const [key, n] of perUid) expect(n).toBeLessThanOrEqual(key.includes("soakowner") ? 50 : 6);
  });

  it("makes every fourth connection of an app the owner's worker", () => {
    const places = Array.from({ length: 400 }, (_, slot) => slotPlace(slot, 400));
    const workers = places.filter((p) => p.kind === "default");
    expect(workers.length).toBe(100);
    expect(workers.every((p) => p.uid.startsWith("soakowner"))).toBe(true);
    expect(places.filter((p) => p.kind === "webuo").every((p) => p.uid.startsWith("soaku"))).toBe(true);
  });
});
