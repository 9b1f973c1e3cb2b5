import { describe, expect, it } from "vitest";
import { TokenBucket } from "./rate-limit";

describe("TokenBucket", () => {
  it("allows the burst, then refuses, then refills at the rate", () => {
    const b = new TokenBucket({ ratePerSec: 10, burst: 5, abuseLimit: 100, abuseWindowMs: 10_000 }, 0);
    for (let i = 0; i < 5; i++) expect(b.take(0)).toBe("ok");
    expect(b.take(0)).toBe("limited");
    expect(b.take(100)).toBe("ok"); // 100 ms at 10/s refills one
    expect(b.take(100)).toBe("limited");
  });

  it("calls it abuse after more than abuseLimit refusals in one window", () => {
    const b = new TokenBucket({ ratePerSec: 1, burst: 1, abuseLimit: 3, abuseWindowMs: 10_000 }, 0);
    expect(b.take(0)).toBe("ok");
    expect([b.take(1), b.take(2), b.take(3)]).toEqual(["limited", "limited", "limited"]);
    expect(b.take(4)).toBe("abuse");
  });

  it("forgives refusals from an earlier window", () => {
    const b = new TokenBucket({ ratePerSec: 0.001, burst: 1, abuseLimit: 2, abuseWindowMs: 1000 }, 0);
    b.take(0);
    expect([b.take(1), b.take(2)]).toEqual(["limited", "limited"]);
    expect(b.take(2000)).toBe("limited");
  });
});
