import { describe, expect, it } from "vitest";
import { IdleRelease } from "./idle-release";

describe("IdleRelease", () => {
  it("frees a channel idle for the whole period, with no member and no retained value", () => {
    const idle = new IdleRelease(1000, 0);
    expect(idle.decide(500, { members: 0, retained: false })).toEqual({ wakeAt: 1000 });
    expect(idle.decide(1000, { members: 0, retained: false })).toBe("release");
  });

  it("starts the period again at every use", () => {
    const idle = new IdleRelease(1000, 0);
    idle.touch(900);
    expect(idle.decide(1000, { members: 0, retained: false })).toEqual({ wakeAt: 1900 });
  });

  it("keeps a channel with members or a retained value", () => {
    const idle = new IdleRelease(1000, 0);
    expect(idle.decide(5000, { members: 1, retained: false })).toBe("in use");
    expect(idle.decide(5000, { members: 0, retained: true })).toBe("in use");
  });

  it("keeps a channel until its newest history message has expired", () => {
    const idle = new IdleRelease(1000, 0);
    expect(idle.decide(1000, { members: 0, retained: false, historyUntil: 5000 })).toEqual({ wakeAt: 5000 });
    expect(idle.decide(5000, { members: 0, retained: false, historyUntil: 5000 })).toBe("release");
    expect(idle.decide(1000, { members: 0, retained: false, historyUntil: 200 })).toBe("release");
  });
});
