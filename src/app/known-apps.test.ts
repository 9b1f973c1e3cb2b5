import { describe, expect, it } from "vitest";
import { KnownApps } from "./known-apps";

function directory(listed: string[]) {
  const asked: string[] = [];
  const lookup = async (app: string) => {
    asked.push(app);
    return listed.includes(app);
  };
  return { asked, lookup };
}

describe("KnownApps", () => {
  it("asks the directory once for a known name, then answers it at once", async () => {
    const d = directory(["etest"]);
    const known = new KnownApps(d.lookup);
    expect(await known.has("etest")).toBe(true);
    expect(known.has("etest")).toBe(true); // no promise: cached
    expect(d.asked).toEqual(["etest"]);
  });

  it("does not cache an unknown name: registered a moment later, it is known", async () => {
    const listed: string[] = [];
    const known = new KnownApps(async (app) => listed.includes(app));
    expect(await known.has("late")).toBe(false);
    listed.push("late");
    expect(await known.has("late")).toBe(true);
  });

  it("makes one lookup for a name asked many times at once", async () => {
    const d = directory(["a"]);
    const known = new KnownApps(d.lookup);
    expect(await Promise.all([known.has("a"), known.has("a"), known.has("zz"), known.has("zz")])).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(d.asked).toEqual(["a", "zz"]);
    expect(known.sizes).toEqual({ cached: 1, asking: 0 });
  });

  it("keeps at most `max` names, the least recently used dropped", async () => {
    const d = directory(["a", "b", "c"]);
    const known = new KnownApps(d.lookup, 2);
    await known.has("a");
    await known.has("b");
    known.has("a"); // a is used again: b is now the oldest
    await known.has("c");
    expect(known.sizes.cached).toBe(2);
    expect(known.has("a")).toBe(true);
    expect(known.has("b")).toBeInstanceOf(Promise);
  });

  it("passes a failed lookup on, and asks again next time", async () => {
    let fail = true;
    const known = new KnownApps(async () => {
      if (fail) throw new Error("directory down");
      return true;
    });
    await expect(known.has("a")).rejects.toThrow("directory down");
    fail = false;
    expect(await known.has("a")).toBe(true);
  });
});
