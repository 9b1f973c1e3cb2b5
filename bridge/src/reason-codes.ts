import { CloseCode } from "../../src/protocol/codes";

/**
 * MQTT 5 reason codes the bridge sends. Names follow the MQTT 5 specification, section 2.4.
 *
 * @example
 * ```ts
 * conn.write({ cmd: "disconnect", reasonCode: Reason.keepAliveTimeout });
 * ```
 */
export const Reason = {
  success: 0x00,
  grantedQos1: 0x01,
  noMatchingSubscribers: 0x10,
  noSubscriptionExisted: 0x11,
  unspecified: 0x80,
  malformedPacket: 0x81,
  protocolError: 0x82,
  implementationSpecific: 0x83,
  unsupportedProtocolVersion: 0x84,
  clientIdentifierNotValid: 0x85,
  badUserNameOrPassword: 0x86,
  notAuthorized: 0x87,
  serverUnavailable: 0x88,
  serverBusy: 0x89,
  serverShuttingDown: 0x8b,
  badAuthenticationMethod: 0x8c,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  topicFilterInvalid: 0x8f,
  topicNameInvalid: 0x90,
  packetIdentifierInUse: 0x91,
  packetIdentifierNotFound: 0x92,
  receiveMaximumExceeded: 0x93,
  topicAliasInvalid: 0x94,
  packetTooLarge: 0x95,
  quotaExceeded: 0x97,
  administrativeAction: 0x98,
  payloadFormatInvalid: 0x99,
  qosNotSupported: 0x9b,
  sharedSubscriptionsNotSupported: 0x9e,
  connectionRateExceeded: 0x9f,
  subscriptionIdentifiersNotSupported: 0xa1,
  wildcardSubscriptionsNotSupported: 0xa2,
} as const;

export type Reason = (typeof Reason)[keyof typeof Reason];

/**
 * MQTT 3.1.1 CONNACK return codes (section 3.2.2.3).
 *
 * @example
 * ```ts
 * conn.write({ cmd: "connack", sessionPresent: false, returnCode: ReturnCode311.notAuthorized });
 * ```
 */
export const ReturnCode311 = {
  accepted: 0,
  unacceptableProtocolVersion: 1,
  identifierRejected: 2,
  serverUnavailable: 3,
  badUserNameOrPassword: 4,
  notAuthorized: 5,
} as const;

/**
 * The 3.1.1 CONNACK return code closest to an MQTT 5 CONNACK reason code.
 *
 * @example
 * ```ts
 * connackReturnCode311(Reason.notAuthorized); // 5
 * ```
 */
export function connackReturnCode311(reason: number): number {
  switch (reason) {
    case Reason.success:
      return ReturnCode311.accepted;
    case Reason.unsupportedProtocolVersion:
      return ReturnCode311.unacceptableProtocolVersion;
    case Reason.clientIdentifierNotValid:
      return ReturnCode311.identifierRejected;
    case Reason.badUserNameOrPassword:
      return ReturnCode311.badUserNameOrPassword;
    case Reason.serverUnavailable:
    case Reason.serverBusy:
    case Reason.quotaExceeded:
    case Reason.connectionRateExceeded:
    case Reason.unspecified:
    case Reason.implementationSpecific:
      return ReturnCode311.serverUnavailable;
    default:
      return ReturnCode311.notAuthorized;
  }
}

/**
 * The CONNACK reason for an edge that refused the device's WebSocket upgrade, from its HTTP status and
 * the contract code of its body. The token is the password, so 401 and 403 are "not authorized" (as the
 * contract asks); 400 means the resource, which is the username, is malformed or of an unknown kind;
 * 429 `quota_exceeded` (too many blocks of this uid) is "quota exceeded"; 503 `unavailable` and any
 * other failure are "server unavailable", which devices retry.
 *
 * @example
 * ```ts
 * connackReasonForRefusal(401, "unauthorized"); // Reason.notAuthorized
 * connackReasonForRefusal(503, "unavailable"); // Reason.serverUnavailable
 * ```
 */
export function connackReasonForRefusal(status: number, code: string): Reason {
  if (status === 401 || status === 403) return Reason.notAuthorized;
  if (status === 400) return Reason.badUserNameOrPassword;
  if (status === 429) return code === "quota_exceeded" ? Reason.quotaExceeded : Reason.connectionRateExceeded;
  return Reason.serverUnavailable;
}

/**
 * The PUBACK reason for a Nexus error code (only the codes PUBACK allows, MQTT 5 section 3.4.2.1).
 * `offline` and `no_responders` become 0x10 "no matching subscribers": accepted, but nobody took it.
 *
 * @example
 * ```ts
 * pubackReasonForError("forbidden"); // Reason.notAuthorized
 * ```
 */
export function pubackReasonForError(code: string): Reason {
  switch (code) {
    case "forbidden":
    case "unauthorized":
      return Reason.notAuthorized;
    case "not_found":
      return Reason.topicNameInvalid;
    case "offline":
    case "no_responders":
      return Reason.noMatchingSubscribers;
    case "rate_limited":
    case "quota_exceeded":
      return Reason.quotaExceeded;
    case "bad_request":
      return Reason.payloadFormatInvalid;
    case "not_a_worker":
    case "too_large":
      return Reason.implementationSpecific;
    default:
      return Reason.unspecified;
  }
}

/**
 * The SUBACK reason for a Nexus error code that refused a `sub` or `serve`.
 *
 * @example
 * ```ts
 * subackReasonForError("not_a_worker"); // Reason.notAuthorized
 * ```
 */
export function subackReasonForError(code: string): Reason {
  switch (code) {
    case "forbidden":
    case "not_a_worker":
      return Reason.notAuthorized;
    case "rate_limited":
    case "quota_exceeded":
      return Reason.quotaExceeded;
    case "bad_request":
      return Reason.topicFilterInvalid;
    default:
      return Reason.unspecified;
  }
}

/**
 * The DISCONNECT reason sent to an MQTT 5 device whose edge session was closed by the edge.
 *
 * @example
 * ```ts
 * disconnectReasonForClose(4009); // Reason.sessionTakenOver
 * ```
 */
export function disconnectReasonForClose(code: number): Reason {
  switch (code) {
    case CloseCode.replaced:
      return Reason.sessionTakenOver;
    case CloseCode.tokenExpired:
      return Reason.notAuthorized;
    case CloseCode.policy:
      return Reason.administrativeAction;
    case CloseCode.tooBig:
      return Reason.packetTooLarge;
    default:
      return Reason.unspecified;
  }
}
