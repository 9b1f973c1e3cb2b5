import { describe, expect, it } from "vitest";
import type { Identity } from "./frames";
import { welcomeFrame, welcomeFrameOf } from "./welcome";

const identity: Identity = {
  jid: 'u"1@etest.qepal.com/webuoA1',
  app: "etest",
  uid: 'u"1',
  role: "user",
  resource: "webuoA1",
  kind: "webuo",
};
const limits = {
  maxFrameBytes: 65536,
  apiTimeoutMs: 10000,
  maxSubscriptions: 1000,
  maxPendingCalls: 100,
  maxServedMethods: 64,
  maxBlocksPerUser: 100,
  pingIntervalMs: 30000,
};

describe("welcomeFrameOf", () => {
  it("is the text welcomeFrame writes, from the identity and limits already serialised", () => {
    expect(welcomeFrameOf(identity.jid, JSON.stringify(identity), JSON.stringify(limits))).toBe(welcomeFrame(identity, limits));
  });
});
