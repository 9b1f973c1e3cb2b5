import { Command, CommanderError } from "commander";
import { benchCommand } from "./commands/bench";
import { callCommand } from "./commands/call";
import { directCommand } from "./commands/direct";
import { findCommand } from "./commands/find";
import { pubCommand } from "./commands/pub";
import { serveCommand } from "./commands/serve";
import { subCommand } from "./commands/sub";
import { tokenCommand } from "./commands/token";
import { ExitCode, exitCodeHelp } from "./exit-codes";
import { addGlobalOptions, globals } from "./global-options";
import { reportError } from "./output";

/**
 * The `nexus` program: global options, every command, and the exit-code table in `--help`.
 * Commands throw; `run()` turns what they throw into a message and an exit code.
 *
 * @example
 * ```ts
 * await buildProgram().parseAsync(["node", "nexus", "pub", "prices", "42"]);
 * ```
 */
export function buildProgram(): Command {
  const program = addGlobalOptions(new Command("nexus"))
    .description("Nexus from the command line: tokens, channels, API calls, Directs, Find and the benchmarks")
    .version("0.1.0")
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", `\nEnvironment: NEXUS_URL, NEXUS_TOKEN, NEXUS_ADMIN_KEY.\n\n${exitCodeHelp()}\n`);
  for (const command of [
    tokenCommand(),
    subCommand(),
    pubCommand(),
    callCommand(),
    serveCommand(),
    directCommand(),
    findCommand(),
    benchCommand(),
  ]) {
    command.addHelpText("after", `\n${exitCodeHelp()}\n`);
    program.addCommand(command);
  }
  // Throw instead of exiting, everywhere, so one place decides the exit code.
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * Runs the CLI on `argv` and resolves with the exit code (the caller exits with it).
 *
 * @example
 * ```ts
 * process.exit(await run(process.argv));
 * ```
 */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end in a CommanderError too, with exit code 0; commander already printed the message.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const json = argv.includes("--json");
    return reportError({ json: json || safeGlobals(program) }, err);
  }
}

function safeGlobals(program: Command): boolean {
  try {
    return globals(program).json;
  } catch {
    return false;
  }
}

// Runs when loaded as the program (cli/nexus.mjs imports this module), not when a test imports it.
if (process.env.NEXUS_CLI_MAIN === "1") process.exit(await run(process.argv));
