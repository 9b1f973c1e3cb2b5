import { describe, expect, it } from "vitest";
import { type Expiring, ExpiryAlarm } from "./expiry-alarm";

describe("ExpiryAlarm", () => {
  it("finds due and next expiries among the indexed blocks, writing nothing but the alarm", async () => {
    const alarms: number[] = [];
    const blocks: Expiring[] = [];
    const expiry = new ExpiryAlarm({ by: async (t: number) => void alarms.push(t) }, () => blocks);
    await expiry.add("c1", 5_000);
    blocks.push({ conn: "c1", exp: 5_000 }, { conn: "c2", exp: 9_000 });
    expect(alarms).toEqual([5_000]);
    expect([...expiry.due(4_999)]).toEqual([]);
    expect([...expiry.due(5_000)]).toEqual(["c1"]);
    expect(expiry.next(5_000)).toBe(9_000);
    expect(expiry.next(9_000)).toBeUndefined();
  });

  it("counts a connect still waiting for its alarm, so an alarm in between keeps its deadline", async () => {
    let release = () => {};
    const clock = { by: () => new Promise<void>((resolve) => (release = resolve)) };
    const expiry = new ExpiryAlarm(clock, () => []);
    const adding = expiry.add("c3", 7_000);
    expect(expiry.next(0)).toBe(7_000);
    expect([...expiry.due(7_000)]).toEqual(["c3"]);
    release();
    await adding;
    expect(expiry.next(0)).toBeUndefined();
  });
});
