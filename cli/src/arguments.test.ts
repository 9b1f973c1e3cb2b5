import { describe, expect, it } from "vitest";
import { appArgument, channelArgument, kindArgument, kindsArgument, methodArgument, resourceArgument } from "./arguments";

describe("command-line arguments", () => {
  it("accepts the protocol's names", () => {
    expect(channelArgument("site1/temp")).toBe("site1/temp");
    expect(appArgument("etest")).toBe("etest");
    expect(methodArgument("sum")).toBe("sum");
    expect(resourceArgument("xdefault7Hx")).toBe("xdefault7Hx");
    expect(kindsArgument("default, webuo")).toEqual(["default", "webuo"]);
  });

  it("refuses others as usage errors that name the argument", () => {
    expect(() => channelArgument("a b")).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringContaining("CHANNEL") }),
    );
    expect(() => appArgument("Etest")).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => resourceArgument("nope1")).toThrow(
      expect.objectContaining({ message: expect.stringContaining("kinds: uservice") }),
    );
    expect(() => kindArgument("bogus")).toThrow(
      expect.objectContaining({ message: expect.stringContaining('unknown kind "bogus"') }),
    );
    expect(() => kindsArgument("default,bogus")).toThrow(
      expect.objectContaining({ message: expect.stringContaining("--kinds") }),
    );
  });
});
