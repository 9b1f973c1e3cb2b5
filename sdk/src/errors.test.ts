import { describe, expect, it } from "vitest";
import { NexusError, Quota } from "./errors";
import { refusalError } from "./transport";

describe("quota_exceeded in the SDK", () => {
  it("says which quota refused a frame or a call, and is not retried", () => {
    const err = NexusError.fromWire({ code: "quota_exceeded", quota: "maxSubscriptions", message: "1000 subscriptions" });
    expect(err).toMatchObject({ name: "NexusError", code: "quota_exceeded", quota: Quota.maxSubscriptions, retryable: false });
    expect(NexusError.fromWire({ code: "forbidden", message: "no" }).quota).toBeUndefined();
  });

  it("reads the quota of a refused connect (429), which a reconnect retries with backoff", () => {
    const body = JSON.stringify({ error: { code: "quota_exceeded", quota: "maxBlocksPerUser", message: "100 blocks online" } });
    expect(refusalError(429, body)).toMatchObject({
      code: "quota_exceeded",
      quota: "maxBlocksPerUser",
      status: 429,
      retryable: true,
    });
    expect(refusalError(429, "Too Many Requests")).toMatchObject({ code: "quota_exceeded", quota: undefined, retryable: true });
  });
});
