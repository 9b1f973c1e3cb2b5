import { NAME_PATTERN } from "../../src/protocol/codec";

/**
 * The MQTT topic space of a device, as the contract's "MQTT mapping" table lays it out.
 * Pure: no sockets, no state, so every row of the table is unit-tested here.
 */

export const TOPIC_ROOT = "nexus";
/** Directs sent to this device arrive on this exact topic. */
export const DIRECT_TOPIC = "nexus/direct";
/** Serving every method (or `nexus/api-request/<method>` for one). */
export const API_REQUEST_TOPIC = "nexus/api-request";
/** Answers to API calls and finds made by a 3.1.1 device: `nexus/api-result/<id>`. */
export const API_RESULT_PREFIX = "nexus/api-result/";
/** A device answers an API request here: `nexus/api-response/<rid>`. */
export const API_RESPONSE_PREFIX = "nexus/api-response/";
export const FIND_TOPIC = "nexus/find";

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const APP = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What a PUBLISH from a device means. */
export type PublishTarget =
  | { kind: "channel"; channel: string }
  | { kind: "direct"; app: string; resource: string; uid?: string }
  | { kind: "api"; app: string; method?: string }
  | { kind: "api-response"; rid: string }
  | { kind: "find" }
  | { kind: "invalid"; reason: string };

/** What a SUBSCRIBE filter from a device means. */
export type SubscriptionTarget =
  | { kind: "channel"; channel: string }
  | { kind: "direct" }
  | { kind: "serve"; method: string }
  | { kind: "api-result" }
  | { kind: "inbox" }
  | { kind: "invalid"; reason: string; wildcard?: boolean; shared?: boolean };

function invalid(reason: string): { kind: "invalid"; reason: string } {
  return { kind: "invalid", reason };
}

/**
 * Maps a device's PUBLISH topic to the Nexus action it stands for.
 *
 * @example
 * ```ts
 * parsePublishTopic("nexus/channel/prices");       // { kind: "channel", channel: "prices" }
 * parsePublishTopic("nexus/api/etest/sum");         // { kind: "api", app: "etest", method: "sum" }
 * parsePublishTopic("nexus/direct/etest/u1/default1"); // { kind: "direct", app: "etest", uid: "u1", resource: "default1" }
 * ```
 */
export function parsePublishTopic(topic: string): PublishTarget {
  // [MQTT-3.3.2-2] wildcards never appear in a PUBLISH topic name.
  if (topic.includes("+") || topic.includes("#")) return invalid("wildcards are not allowed in a topic name");
  if (!topic.startsWith(`${TOPIC_ROOT}/`)) return invalid(`topics start with "${TOPIC_ROOT}/"`);
  const rest = topic.slice(TOPIC_ROOT.length + 1);
  const slash = rest.indexOf("/");
  const head = slash < 0 ? rest : rest.slice(0, slash);
  const tail = slash < 0 ? undefined : rest.slice(slash + 1);
  switch (head) {
    case "channel":
      if (tail === undefined || !NAME_PATTERN.test(tail)) return invalid("channel names match [A-Za-z0-9_.:/-]{1,128}");
      return { kind: "channel", channel: tail };
    case "direct": {
      const parts = tail === undefined ? [] : tail.split("/");
      if (parts.length === 2 && APP.test(parts[0]!) && SEGMENT.test(parts[1]!)) {
        return { kind: "direct", app: parts[0]!, resource: parts[1]! };
      }
      if (parts.length === 3 && APP.test(parts[0]!) && SEGMENT.test(parts[1]!) && SEGMENT.test(parts[2]!)) {
        return { kind: "direct", app: parts[0]!, uid: parts[1]!, resource: parts[2]! };
      }
      return invalid("direct topics are nexus/direct/<app>/<resource> or nexus/direct/<app>/<uid>/<resource>");
    }
    case "api": {
      if (tail === undefined) return invalid("API topics are nexus/api/<app>[/<method>]");
      const cut = tail.indexOf("/");
      const app = cut < 0 ? tail : tail.slice(0, cut);
      if (!APP.test(app)) return invalid("the app in nexus/api/<app> is not a valid app name");
      if (cut < 0) return { kind: "api", app };
      // Methods may hold "/", so everything after the app is the method.
      const method = tail.slice(cut + 1);
      if (!NAME_PATTERN.test(method)) return invalid("methods match [A-Za-z0-9_.:/-]{1,128}");
      return { kind: "api", app, method };
    }
    case "api-response":
      if (tail === undefined || tail.length === 0 || tail.length > 128) return invalid("answers go to nexus/api-response/<rid>");
      return { kind: "api-response", rid: tail };
    case "find":
      if (tail !== undefined) return invalid("find is published to nexus/find exactly");
      return { kind: "find" };
    default:
      return invalid(`"${head.slice(0, 32)}" is not a Nexus topic`);
  }
}

/**
 * Maps a device's SUBSCRIBE filter to the Nexus subscription it stands for.
 * Wildcards are accepted only on the device's private topics, where the mapping gives them a meaning
 * (`nexus/api-request/+`, `nexus/api-result/#`, inboxes such as `replies/#`): a channel is one name on
 * the edge, not a tree. An inbox is any filter outside `nexus/` whose first level is a name: the
 * MQTT 5 Response Topics the device chooses for its calls, where only answers to it arrive.
 *
 * @example
 * ```ts
 * parseSubscription("nexus/channel/prices");   // { kind: "channel", channel: "prices" }
 * parseSubscription("nexus/api-request");      // { kind: "serve", method: "*" }
 * parseSubscription("nexus/api-request/sum");  // { kind: "serve", method: "sum" }
 * ```
 */
export function parseSubscription(filter: string): SubscriptionTarget {
  if (filter.startsWith("$share/")) return { kind: "invalid", reason: "shared subscriptions are not supported", shared: true };
  if (!isValidFilter(filter)) return invalid("malformed topic filter");
  if (filter === DIRECT_TOPIC) return { kind: "direct" };
  if (filter === API_REQUEST_TOPIC || filter === `${API_REQUEST_TOPIC}/#` || filter === `${API_REQUEST_TOPIC}/+`) {
    return { kind: "serve", method: "*" };
  }
  if (filter.startsWith(`${API_REQUEST_TOPIC}/`)) {
    const method = filter.slice(API_REQUEST_TOPIC.length + 1);
    if (hasWildcard(method)) return { kind: "invalid", reason: "serve one method or all of them", wildcard: true };
    if (!NAME_PATTERN.test(method)) return invalid("methods match [A-Za-z0-9_.:/-]{1,128}");
    return { kind: "serve", method };
  }
  if (filter.startsWith(API_RESULT_PREFIX)) return { kind: "api-result" };
  if (filter.startsWith("nexus/channel/")) {
    const channel = filter.slice("nexus/channel/".length);
    if (hasWildcard(channel))
      return { kind: "invalid", reason: "channels are single names; wildcards are not supported", wildcard: true };
    if (!NAME_PATTERN.test(channel)) return invalid("channel names match [A-Za-z0-9_.:/-]{1,128}");
    return { kind: "channel", channel };
  }
  const first = filter.split("/", 1)[0]!;
  if (first !== TOPIC_ROOT && first !== "" && !first.startsWith("$") && !hasWildcard(first)) return { kind: "inbox" };
  if (hasWildcard(filter)) return { kind: "invalid", reason: "wildcards outside the mapping are not supported", wildcard: true };
  return invalid("not a topic a device can subscribe to");
}

function hasWildcard(text: string): boolean {
  return text.includes("+") || text.includes("#");
}

/**
 * True when `filter` is a well-formed MQTT topic filter. [MQTT-4.7.1-2] `#` only as the last
 * level on its own; [MQTT-4.7.1-3] `+` only as a whole level; [MQTT-4.7.3-1] at least one character.
 *
 * @example
 * ```ts
 * isValidFilter("a/+/c"); // true
 * isValidFilter("a/b#");  // false
 * ```
 */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0 || hasNul(filter)) return false;
  const levels = filter.split("/");
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes("#") && (level !== "#" || i !== levels.length - 1)) return false;
    if (level.includes("+") && level !== "+") return false;
  }
  return true;
}

/**
 * MQTT filter matching, used only for the topics the bridge answers on itself (`nexus/api-result/...`).
 *
 * @example
 * ```ts
 * topicMatches("nexus/api-result/+", "nexus/api-result/7"); // true
 * ```
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === "#") return true;
    if (i >= t.length) return false;
    if (level !== "+" && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** `nexus/channel/<channel>`. @example channelTopic("prices") // "nexus/channel/prices" */
export function channelTopic(channel: string): string {
  return `nexus/channel/${channel}`;
}

/** `nexus/api-result/<id>`. @example apiResultTopic("7") // "nexus/api-result/7" */
export function apiResultTopic(id: string): string {
  return `${API_RESULT_PREFIX}${id}`;
}

/** `nexus/api-response/<rid>`. @example apiResponseTopic("r9") // "nexus/api-response/r9" */
export function apiResponseTopic(rid: string): string {
  return `${API_RESPONSE_PREFIX}${rid}`;
}

/** `nexus/api-request/<method>`. @example apiRequestTopic("sum") // "nexus/api-request/sum" */
export function apiRequestTopic(method: string): string {
  return `${API_REQUEST_TOPIC}/${method}`;
}

/**
 * True when `id` can be one level of a topic name (3.1.1 result ids travel in the topic).
 *
 * @example
 * ```ts
 * isTopicLevel("call-7"); // true
 * isTopicLevel("a/b");    // false
 * ```
 */
export function isTopicLevel(id: string): boolean {
  return id.length > 0 && id.length <= 128 && !/[/+#]/.test(id) && !id.includes("\u0000");
}

/**
 * True when a topic name or filter holds U+0000, which [MQTT-4.7.3-2] forbids: the packet is malformed.
 *
 * @example
 * ```ts
 * hasNul("a\u0000b"); // true
 * ```
 */
export function hasNul(topic: string): boolean {
  return topic.includes("\u0000");
}
