import { describe, expect, it } from "vitest";
import {
  connackReasonForRefusal,
  connackReturnCode311,
  disconnectReasonForClose,
  pubackReasonForError,
  Reason,
  subackReasonForError,
} from "./reason-codes";

describe("reason codes", () => {
  it("refuses CONNECT as 'not authorized' when the edge refuses the token or the kind", () => {
    expect(connackReasonForRefusal(401, "unauthorized")).toBe(Reason.notAuthorized);
    expect(connackReasonForRefusal(403, "forbidden")).toBe(Reason.notAuthorized);
    expect(connackReasonForRefusal(400, "bad_request")).toBe(Reason.badUserNameOrPassword);
    expect(connackReasonForRefusal(429, "quota_exceeded")).toBe(Reason.quotaExceeded);
    expect(connackReasonForRefusal(503, "unavailable")).toBe(Reason.serverUnavailable);
  });

  it("maps MQTT 5 CONNACK reasons to 3.1.1 return codes", () => {
    expect(connackReturnCode311(Reason.success)).toBe(0);
    expect(connackReturnCode311(Reason.unsupportedProtocolVersion)).toBe(1);
    expect(connackReturnCode311(Reason.clientIdentifierNotValid)).toBe(2);
    expect(connackReturnCode311(Reason.serverUnavailable)).toBe(3);
    expect(connackReturnCode311(Reason.badUserNameOrPassword)).toBe(4);
    expect(connackReturnCode311(Reason.notAuthorized)).toBe(5);
    expect(connackReturnCode311(Reason.topicNameInvalid)).toBe(5);
  });

  it("maps edge errors to PUBACK and SUBACK reasons that those packets allow", () => {
    const pubackAllowed = new Set([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
    for (const code of [
      "forbidden",
      "not_found",
      "offline",
      "no_responders",
      "rate_limited",
      "bad_request",
      "too_large",
      "internal",
      "x",
    ]) {
      expect(pubackAllowed.has(pubackReasonForError(code))).toBe(true);
    }
    expect(pubackReasonForError("forbidden")).toBe(Reason.notAuthorized);
    expect(pubackReasonForError("offline")).toBe(Reason.noMatchingSubscribers);
    expect(subackReasonForError("not_a_worker")).toBe(Reason.notAuthorized);
    expect(subackReasonForError("rate_limited")).toBe(Reason.quotaExceeded);
  });

  it("tells an MQTT 5 device why its edge session ended", () => {
    expect(disconnectReasonForClose(4009)).toBe(Reason.sessionTakenOver);
    expect(disconnectReasonForClose(4001)).toBe(Reason.notAuthorized);
    expect(disconnectReasonForClose(4008)).toBe(Reason.administrativeAction);
    expect(disconnectReasonForClose(1011)).toBe(Reason.unspecified);
  });
});
