import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { addGlobalOptions, DEFAULT_URL, type GlobalOptions, globals } from "./global-options";

const saved = { url: process.env.NEXUS_URL, token: process.env.NEXUS_TOKEN };

afterEach(() => {
  process.env.NEXUS_URL = saved.url;
  process.env.NEXUS_TOKEN = saved.token;
  if (saved.url === undefined) delete process.env.NEXUS_URL;
  if (saved.token === undefined) delete process.env.NEXUS_TOKEN;
});

function parse(argv: string[]): GlobalOptions {
  let seen: GlobalOptions | undefined;
  const program = addGlobalOptions(new Command("nexus"));
  program.addCommand(
    new Command("probe").action((_opts, cmd: Command) => {
      seen = globals(cmd);
    }),
  );
  program.parse(["node", "nexus", "probe", ...argv]);
  return seen!;
}

describe("global options", () => {
  it("take an empty NEXUS_URL or NEXUS_TOKEN as unset", () => {
    process.env.NEXUS_URL = "";
    process.env.NEXUS_TOKEN = "";
    expect(parse([])).toMatchObject({ url: DEFAULT_URL, token: undefined });
  });

  it("take NEXUS_URL when set, and --url over it", () => {
    process.env.NEXUS_URL = "http://10.0.0.1:9000";
    expect(parse([]).url).toBe("http://10.0.0.1:9000");
    expect(parse(["--url", "http://h:1"]).url).toBe("http://h:1");
  });
});
