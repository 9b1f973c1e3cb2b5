import { describe, expect, it } from "vitest";
import { formatJid, parseJid } from "../../src/identity/jid";
import { parseResource } from "../../src/identity/kinds";
import { terminalError } from "./close-codes";
import { ERROR_TABLE, isRetryable } from "./errors";
import { errors, jids, knownCode, resources } from "./testing/vectors";
import { refusalError } from "./transport";

// The identity and error-code vectors (test/vectors/README.md), checked against the edge's and the SDK's own code.
// Codes of the contract that the edge's table does not hold yet: `unavailable` (503 at connect, when the
// token cannot be checked) comes with the token policy. Every other vector code must be in the table.
const COMING = new Set(["unavailable"]);

describe("vectors: identity", () => {
  it.each(jids.valid.map((v) => [v.jid, v]))("parses %s", (jid, v) => {
    const { jid: _jid, ...parts } = v;
    expect(parseJid(jid)).toEqual(parts);
    expect(formatJid(v, v.domain)).toBe(jid);
  });

  it.each(jids.invalid.map((j) => [j]))("refuses %j", (jid) => {
    expect(parseJid(jid)).toBeUndefined();
  });

  it.each(resources.map((r) => [r.resource, r]))("splits resource %j", (resource, r) => {
    expect(parseResource(resource)).toEqual(r.kind === null ? undefined : { kind: r.kind, suffix: r.suffix });
  });
});

describe("vectors: error codes and close codes", () => {
  it("every code of the error table is in the vectors, with the same retryable", () => {
    const byCode = new Map(errors.codes.map((c) => [c.code, c.retryable]));
    for (const [code, entry] of Object.entries(ERROR_TABLE)) expect([code, byCode.get(code)]).toEqual([code, entry.retryable]);
    for (const { code, retryable } of errors.codes) {
      if (COMING.has(code) && !knownCode(code)) continue;
      expect([code, isRetryable(code)]).toEqual([code, retryable]);
    }
    expect(isRetryable(errors.unknownCode.code)).toBe(errors.unknownCode.retryable);
  });

  it.each(errors.closes.map((c) => [c.code, c]))("close %i: the terminal rule", (code, c) => {
    const terminal = terminalError(code, "");
    if (c.reconnect === true) expect(terminal).toBeUndefined();
    else expect(terminal).toMatchObject({ code: c.error, closeCode: code, retryable: false });
  });

  it.each(errors.connectRefusals.map((r) => [r.status, r.body, r]))("refused connect %i %s", (status, body, r) => {
    expect(refusalError(status, body)).toMatchObject({ code: r.code, retryable: r.retryable, status, quota: r.quota });
  });
});
