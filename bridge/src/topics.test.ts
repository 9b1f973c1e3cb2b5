import { describe, expect, it } from "vitest";
import {
  apiResultTopic,
  channelTopic,
  isTopicLevel,
  isValidFilter,
  parsePublishTopic,
  parseSubscription,
  topicMatches,
} from "./topics";

describe("parsePublishTopic: every PUBLISH row of the mapping", () => {
  it("maps nexus/channel/<channel> to a channel publish, names with / included", () => {
    expect(parsePublishTopic("nexus/channel/prices")).toEqual({ kind: "channel", channel: "prices" });
    expect(parsePublishTopic("nexus/channel/site/3:temp")).toEqual({ kind: "channel", channel: "site/3:temp" });
  });

  it("maps both Direct forms", () => {
    expect(parsePublishTopic("nexus/direct/etest/default7Hx")).toEqual({ kind: "direct", app: "etest", resource: "default7Hx" });
    expect(parsePublishTopic("nexus/direct/my-app/u1/device2")).toEqual({
      kind: "direct",
      app: "my-app",
      uid: "u1",
      resource: "device2",
    });
  });

  it("maps API calls with and without a method in the topic; methods may hold /", () => {
    expect(parsePublishTopic("nexus/api/etest")).toEqual({ kind: "api", app: "etest" });
    expect(parsePublishTopic("nexus/api/etest/sum")).toEqual({ kind: "api", app: "etest", method: "sum" });
    expect(parsePublishTopic("nexus/api/etest/v1/sum")).toEqual({ kind: "api", app: "etest", method: "v1/sum" });
  });

  it("maps API answers and find", () => {
    expect(parsePublishTopic("nexus/api-response/r9")).toEqual({ kind: "api-response", rid: "r9" });
    expect(parsePublishTopic("nexus/find")).toEqual({ kind: "find" });
  });

  it.each([
    ["outside the root", "prices"],
    ["unknown family", "nexus/foo/bar"],
    ["empty channel", "nexus/channel/"],
    ["bad channel character", "nexus/channel/a b"],
    ["wildcard", "nexus/channel/a/+"],
    ["direct without resource", "nexus/direct/etest"],
    ["direct with too many levels", "nexus/direct/a/b/c/d"],
    ["direct with an invalid app", "nexus/direct/Etest/default1"],
    ["API without app", "nexus/api"],
    ["API with a bad method", "nexus/api/etest/su m"],
    ["find with a suffix", "nexus/find/x"],
    ["subscribe-only topic", "nexus/direct"],
    ["answer without rid", "nexus/api-response/"],
  ])("refuses %s (%s)", (_why, topic) => {
    expect(parsePublishTopic(topic).kind).toBe("invalid");
  });
});

describe("parseSubscription: every SUBSCRIBE row of the mapping", () => {
  it("maps channels, Directs, serving and results", () => {
    expect(parseSubscription("nexus/channel/prices")).toEqual({ kind: "channel", channel: "prices" });
    expect(parseSubscription("nexus/direct")).toEqual({ kind: "direct" });
    expect(parseSubscription("nexus/api-request")).toEqual({ kind: "serve", method: "*" });
    expect(parseSubscription("nexus/api-request/#")).toEqual({ kind: "serve", method: "*" });
    expect(parseSubscription("nexus/api-request/sum")).toEqual({ kind: "serve", method: "sum" });
    expect(parseSubscription("nexus/api-result/+")).toEqual({ kind: "api-result" });
    expect(parseSubscription("nexus/api-result/7")).toEqual({ kind: "api-result" });
  });

  it("takes filters outside nexus/ as the device's inboxes, wildcards included", () => {
    expect(parseSubscription("replies/me")).toEqual({ kind: "inbox" });
    expect(parseSubscription("replies/#")).toEqual({ kind: "inbox" });
    expect(parseSubscription("replies/+/x")).toEqual({ kind: "inbox" });
    expect(parseSubscription("+/x")).toMatchObject({ kind: "invalid", wildcard: true });
    expect(parseSubscription("$SYS/x")).toMatchObject({ kind: "invalid" });
  });

  it("refuses wildcard channels, shared subscriptions and topics outside the mapping, saying which", () => {
    expect(parseSubscription("nexus/channel/#")).toMatchObject({ kind: "invalid", wildcard: true });
    expect(parseSubscription("$share/g/nexus/channel/a")).toMatchObject({ kind: "invalid", shared: true });
    expect(parseSubscription("#")).toMatchObject({ kind: "invalid", wildcard: true });
    expect(parseSubscription("nexus/api/etest")).toMatchObject({ kind: "invalid" });
    expect(parseSubscription("nexus/channel/a#")).toMatchObject({ kind: "invalid" });
  });
});

describe("filters", () => {
  it("validates MQTT filters", () => {
    expect(isValidFilter("a/+/c")).toBe(true);
    expect(isValidFilter("#")).toBe(true);
    expect(isValidFilter("a/#/c")).toBe(false);
    expect(isValidFilter("a+")).toBe(false);
    expect(isValidFilter("")).toBe(false);
  });

  it("matches topics against filters", () => {
    expect(topicMatches("nexus/api-result/+", "nexus/api-result/7")).toBe(true);
    expect(topicMatches("nexus/api-result/#", "nexus/api-result/7")).toBe(true);
    expect(topicMatches("nexus/api-result/8", "nexus/api-result/7")).toBe(false);
    expect(topicMatches("nexus/api-result/+", "nexus/api-result/7/x")).toBe(false);
  });

  it("builds topics and checks result ids", () => {
    expect(channelTopic("a/b")).toBe("nexus/channel/a/b");
    expect(apiResultTopic("7")).toBe("nexus/api-result/7");
    expect(isTopicLevel("call-7")).toBe(true);
    expect(isTopicLevel("a/b")).toBe(false);
    expect(isTopicLevel("")).toBe(false);
  });
});
