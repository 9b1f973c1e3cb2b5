import { describe, expect, it } from "vitest";
import { DeviceSubscriptions } from "./device-subscriptions";

const opts = { qos: 1 as const, noLocal: false, retainHandling: 0 };

describe("DeviceSubscriptions", () => {
  it("serves the union of the subscribed methods, or every method once one filter says so", () => {
    const subs = new DeviceSubscriptions();
    expect(subs.servedMethods()).toEqual([]);
    subs.addServe("nexus/api-request/sum", "sum", opts);
    subs.addServe("nexus/api-request/status", "status", opts);
    expect(subs.servedMethods()).toEqual(["sum", "status"]);
    subs.addServe("nexus/api-request", "*", opts);
    expect(subs.servedMethods()).toEqual(["*"]);
    subs.removeServe("nexus/api-request");
    expect(subs.servedMethods()).toEqual(["sum", "status"]);
  });

  it("delivers a request on the method's topic when subscribed to it, else on the bare topic", () => {
    const subs = new DeviceSubscriptions();
    subs.addServe("nexus/api-request", "*", { ...opts, qos: 0 });
    subs.addServe("nexus/api-request/sum", "sum", opts);
    expect(subs.requestDelivery("sum")).toEqual({ topic: "nexus/api-request/sum", qos: 1 });
    expect(subs.requestDelivery("status")).toEqual({ topic: "nexus/api-request", qos: 0 });
    subs.addServe("nexus/api-request/#", "*", opts);
    expect(subs.requestDelivery("status")).toEqual({ topic: "nexus/api-request/status", qos: 1 });
  });

  it("knows which filters still serve a method", () => {
    const subs = new DeviceSubscriptions();
    subs.addServe("nexus/api-request/sum", "sum", opts);
    subs.addServe("nexus/api-request/+", "*", opts);
    expect(subs.servedBy("nexus/api-request/+")).toBe("*");
    subs.removeServe("nexus/api-request/sum");
    expect(subs.servesMethod("sum")).toBe(false);
    expect(subs.servesMethod("*")).toBe(true);
  });
});
