import { describe, expect, it } from "vitest";
import { FrameGate } from "./frame-gate";
import { TokenBucket } from "./rate-limit";

const own = (burst: number) => new TokenBucket({ ratePerSec: 1, burst, abuseLimit: 2, abuseWindowMs: 10_000 }, 0);

describe("FrameGate", () => {
  it("bounds one user's connections together", () => {
    const gate = new FrameGate({ userRatePerSec: 1, userRateBurst: 3, appRatePerSec: 100, appRateBurst: 100 }, 0);
    const a = own(10);
    const b = own(10);
    expect([gate.admit(a, "u1", 0), gate.admit(b, "u1", 0), gate.admit(a, "u1", 0)]).toEqual(["ok", "ok", "ok"]);
    expect(gate.admit(b, "u1", 0)).toBe("user");
    expect(gate.admit(own(10), "u2", 0)).toBe("ok");
  });

  it("bounds the app's users together", () => {
    const gate = new FrameGate({ userRatePerSec: 100, userRateBurst: 100, appRatePerSec: 1, appRateBurst: 2 }, 0);
    expect(gate.admit(own(5), "u1", 0)).toBe("ok");
    expect(gate.admit(own(5), "u2", 0)).toBe("ok");
    expect(gate.admit(own(5), "u3", 0)).toBe("app");
    expect(gate.admit(own(5), "u3", 1000)).toBe("ok"); // refilled at 1/s
  });

  it("closes for abuse only on the connection's own refusals", () => {
    const gate = new FrameGate({ userRatePerSec: 0.001, userRateBurst: 1, appRatePerSec: 100, appRateBurst: 100 }, 0);
    const quiet = own(100);
    expect(gate.admit(quiet, "u1", 0)).toBe("ok");
    for (let i = 0; i < 50; i++) expect(gate.admit(quiet, "u1", 0)).toBe("user");
    const noisy = own(1);
    expect(gate.admit(noisy, "u2", 0)).toBe("ok");
    expect([gate.admit(noisy, "u2", 0), gate.admit(noisy, "u2", 0), gate.admit(noisy, "u2", 0)]).toEqual([
      "limited",
      "limited",
      "abuse",
    ]);
  });

  it("forgets a user's bucket when told", () => {
    const gate = new FrameGate({ userRatePerSec: 1, userRateBurst: 1, appRatePerSec: 100, appRateBurst: 100 }, 0);
    gate.admit(undefined, "u1", 0);
    expect(gate.userCount).toBe(1);
    gate.forgetUser("u1");
    expect(gate.userCount).toBe(0);
  });
});
