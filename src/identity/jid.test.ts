import { describe, expect, it } from "vitest";
import { formatJid, makeIdentity, parseJid } from "./jid";

describe("JID", () => {
  it("formats app-uid-role@domain/resource", () => {
    expect(formatJid({ app: "etest", uid: "682ebf741c055d80a4f15f8b", role: "owner", resource: "default" }, "qepal.com")).toBe(
      "etest-682ebf741c055d80a4f15f8b-owner@qepal.com/default",
    );
  });

  it("parses from the right, so app names may hold '-'", () => {
    expect(parseJid("my-shop-app-682e-user@qepal.com/webuo1561")).toEqual({
      app: "my-shop-app",
      uid: "682e",
      role: "user",
      domain: "qepal.com",
      resource: "webuo1561",
      kind: "webuo",
    });
  });

  it("round-trips an identity", () => {
    const id = makeIdentity({ app: "a-b", uid: "u_1", role: "owner", resource: "pydefaultX9", kind: "pydefault" }, "d.example");
    const parsed = parseJid(id.jid);
    expect(parsed).toMatchObject({
      app: "a-b",
      uid: "u_1",
      role: "owner",
      resource: "pydefaultX9",
      kind: "pydefault",
      domain: "d.example",
    });
  });

  it.each([
    ["no domain part", "etest-u1-owner/default1"],
    ["no resource", "etest-u1-owner@qepal.com"],
    ["unknown role", "etest-u1-admin@qepal.com/default1"],
    ["unknown kind", "etest-u1-user@qepal.com/printer1"],
    ["uppercase app", "ETest-u1-user@qepal.com/default1"],
    ["missing uid", "etest-owner@qepal.com/default1"],
  ])("rejects %s", (_what, jid) => {
    expect(parseJid(jid)).toBeUndefined();
  });

  it("reads the last two '-' fields as uid and role, whatever the app holds", () => {
    expect(parseJid("etest-u-1-user@qepal.com/default1x")).toMatchObject({ app: "etest-u", uid: "1", role: "user" });
  });
});
