import { describe, expect, it } from "vitest";
import { parseJsonArgument } from "./call";
import { formatBlocks } from "./find";
import { formatMessage } from "./sub";

const from = {
  jid: "etest-u1-owner@qepal.com/default7Hx",
  app: "etest",
  uid: "u1",
  role: "owner" as const,
  resource: "default7Hx",
  kind: "default",
};

describe("parseJsonArgument", () => {
  it("parses JSON and refuses anything else as a usage error", () => {
    expect(parseJsonArgument('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonArgument('"text"')).toBe("text");
    expect(() => parseJsonArgument("text")).toThrow(expect.objectContaining({ code: "usage", exitCode: 2 }));
  });
});

describe("formatMessage", () => {
  it("shows seq, retained, channel, sender and text", () => {
    expect(formatMessage({ channel: "prices", text: "42", from, seq: 17, retained: true })).toBe(
      "#17 (retained) prices etest-u1-owner@qepal.com/default7Hx: 42",
    );
  });
});

describe("formatBlocks", () => {
  it("aligns a table and says so when nothing is online", () => {
    expect(formatBlocks([])).toBe("no blocks online");
    const table = formatBlocks([{ ...from, since: 0 }]);
    expect(table.split("\n")).toEqual([
      "JID                                  KIND     ONLINE SINCE",
      "etest-u1-owner@qepal.com/default7Hx  default  1970-01-01T00:00:00.000Z",
    ]);
  });
});
