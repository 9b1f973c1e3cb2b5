import type { IPublishPacket } from "mqtt-packet";
import { isNexusError } from "../../sdk/src/core";
import type { DeviceConnection } from "./device-connection";
import { Reason } from "./reason-codes";
import { API_RESULT_PREFIX, apiResultTopic, isTopicLevel, TOPIC_ROOT } from "./topics";

/** The PUBACK outcome of a device's PUBLISH. */
export interface Outcome {
  code: number;
  text?: string;
}

/** Where the answer to a device's API call or find goes. */
interface ReplyRoute {
  topic: string;
  qos: 0 | 1;
  correlationData?: Buffer;
  /** The 3.1.1 `"id"`, echoed in the answer's payload. */
  id?: string;
}

const OK: Outcome = { code: Reason.success };

function bad(text: string): Outcome {
  return { code: Reason.payloadFormatInvalid, text };
}

function parseObject(text: string, allowEmpty: boolean): Record<string, unknown> | undefined {
  if (allowEmpty && text.trim() === "") return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The answer's route: MQTT 5 Response Topic (+ Correlation Data), else the 3.1.1 `"id"` in the
 * payload -> `nexus/api-result/<id>`. Neither: the call still runs and its answer is dropped.
 */
function replyRoute(
  conn: DeviceConnection,
  packet: IPublishPacket,
  body: Record<string, unknown>,
): ReplyRoute | string | undefined {
  const qos = packet.qos === 0 ? 0 : 1;
  const rawId = body.id;
  const id = typeof rawId === "number" ? String(rawId) : typeof rawId === "string" ? rawId : undefined;
  const responseTopic = conn.version === 5 ? packet.properties?.responseTopic : undefined;
  if (responseTopic !== undefined) {
    // [MQTT-3.3.2-14] a Response Topic is a topic name: no wildcards.
    if (responseTopic.length === 0 || /[+#]/.test(responseTopic))
      return "the response topic must be a topic name without wildcards";
    if (responseTopic.startsWith(`${TOPIC_ROOT}/`) && !responseTopic.startsWith(API_RESULT_PREFIX))
      return "the response topic must be outside nexus/ (the device's own inbox) or under nexus/api-result/";
    return { topic: responseTopic, qos, correlationData: packet.properties?.correlationData, id };
  }
  if (rawId === undefined) return undefined;
  if (id === undefined || !isTopicLevel(id))
    return '"id" must be a string or number usable as one topic level (no "/", "+", "#")';
  return { topic: apiResultTopic(id), qos, id };
}

function reply(conn: DeviceConnection, route: ReplyRoute | undefined, body: Record<string, unknown>, fromJid?: string): void {
  if (!route) return;
  const payload = JSON.stringify(route.id === undefined ? body : { id: route.id, ...body });
  const properties: IPublishPacket["properties"] = {};
  if (route.correlationData) properties.correlationData = route.correlationData;
  if (fromJid) properties.userProperties = { "nexus-from": fromJid };
  conn.deliver({ topic: route.topic, payload, qos: route.qos, properties });
}

function failure(err: unknown): Record<string, unknown> {
  const error = isNexusError(err) ? { code: err.code, message: err.message } : { code: "internal", message: String(err) };
  return { ok: false, error };
}

/**
 * A device's `nexus/api/<app>[/<method>]` PUBLISH: sends an `api` frame and routes the `api.result`
 * back to the device. PUBACK means "sent"; the answer arrives on the response topic.
 *
 * @example
 * ```ts
 * startApiCall(conn, packet, { app: "etest", method: "sum" }, '{"data":{"a":1},"id":"7"}');
 * // later: PUBLISH nexus/api-result/7 {"id":"7","ok":true,"data":...,"from":{...}}
 * ```
 */
export function startApiCall(
  conn: DeviceConnection,
  packet: IPublishPacket,
  target: { app: string; method?: string },
  text: string,
): Outcome {
  const body = parseObject(text, false);
  if (!body) return bad('the payload must be a JSON object: {"data":...}');
  const route = replyRoute(conn, packet, body);
  if (typeof route === "string") return bad(route);
  const method = target.method ?? body.method;
  const problem =
    typeof method !== "string"
      ? 'the method is missing: put it in the topic or in "method"'
      : (["resource", "uid"] as const).find((k) => body[k] !== undefined && typeof body[k] !== "string")
        ? '"resource" and "uid" must be strings'
        : body.timeoutMs !== undefined && typeof body.timeoutMs !== "number"
          ? '"timeoutMs" must be a number'
          : undefined;
  if (problem) {
    reply(conn, route, { ok: false, error: { code: "bad_request", message: problem } });
    return bad(problem);
  }
  const options: { resource?: string; uid?: string; timeoutMs?: number } = {};
  if (typeof body.resource === "string") options.resource = body.resource;
  if (typeof body.uid === "string") options.uid = body.uid;
  if (typeof body.timeoutMs === "number") options.timeoutMs = body.timeoutMs;
  conn.session!.call(target.app, method as string, body.data === undefined ? null : body.data, options).then(
    (answer) => reply(conn, route, { ok: true, data: answer.data, from: answer.from }, answer.from.jid),
    (err: unknown) => reply(conn, route, failure(err)),
  );
  return OK;
}

/**
 * A device's `nexus/find` PUBLISH (payload empty or `{"app"?,"kind"?,"scope"?,"id"?}`); the answer,
 * `{"ok":true,"data":{"blocks":[...]}}`, is routed as for an API call.
 *
 * @example
 * ```ts
 * startFind(conn, packet, '{"id":"f1"}'); // later: PUBLISH nexus/api-result/f1 {"id":"f1","ok":true,"data":{"blocks":[...]}}
 * ```
 */
export function startFind(conn: DeviceConnection, packet: IPublishPacket, text: string): Outcome {
  const body = parseObject(text, true);
  if (!body) return bad("the payload must be empty or a JSON object");
  const route = replyRoute(conn, packet, body);
  if (typeof route === "string") return bad(route);
  const query: { app?: string; kind?: string; scope?: "app" } = {};
  if (typeof body.app === "string") query.app = body.app;
  if (typeof body.kind === "string") query.kind = body.kind;
  if (body.scope === "app") query.scope = "app";
  conn.session!.find(query).then(
    (blocks) => reply(conn, route, { ok: true, data: { blocks } }),
    (err: unknown) => reply(conn, route, failure(err)),
  );
  return OK;
}

/**
 * A device's answer to an API request, published to `nexus/api-response/<rid>`:
 * `{"ok":true,"data":...}` or `{"ok":false,"error":{"code","message"}}`, sent to the edge as `api.res`.
 *
 * @example
 * ```ts
 * answerApiRequest(conn, "r9", '{"ok":true,"data":{"sum":3}}');
 * ```
 */
export function answerApiRequest(conn: DeviceConnection, rid: string, text: string): Outcome {
  const session = conn.session!;
  if (!session.awaits(rid)) {
    // Only the connection that received the request may answer it; anything else would be dropped unseen.
    return { code: Reason.notAuthorized, text: `no API request ${rid} is waiting for an answer from this connection` };
  }
  const body = parseObject(text, false);
  if (!body || typeof body.ok !== "boolean")
    return bad('the answer must be {"ok":true,"data":...} or {"ok":false,"error":{...}}');
  if (body.ok) {
    session.answer(rid, { ok: true, data: body.data === undefined ? null : body.data });
    return OK;
  }
  const error = (typeof body.error === "object" && body.error !== null ? body.error : {}) as Record<string, unknown>;
  const code = typeof error.code === "string" ? error.code : "app_error";
  const message = typeof error.message === "string" ? error.message : "";
  session.answer(rid, { ok: false, error: { code, message } });
  return OK;
}
