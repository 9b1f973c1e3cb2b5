import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, Option } from "commander";
import { globals, positiveInt } from "../global-options";
import { type Progress, progress } from "../progress";

/**
 * `nexus bench`: runs the benchmark suite (the same as `npm run bench`) with a progress bar; starts
 * its own local stack, so it needs no `--url` or token.
 *
 * @example
 * ```sh
 * nexus bench --json bench-results/latest.json --html bench-results/latest.html
 * ```
 */
export function benchCommand(): Command {
  return new Command("bench")
    .description("run the benchmarks against a fresh local stack (about 5 minutes) and print the table")
    .option("--json-file <file>", "write the results as JSON")
    .option("--html <file>", "write the HTML report with latency charts")
    .option("--quick", "a tenth of the counts (a smoke run, about a minute)", false)
    .addOption(new Option("--placements <list>", "comma-separated core placements").default("separate,shared"))
    .option("--connections <n>", "idle connections in the connections scenario", "10000")
    .option("--max-ms <ms>", "upper bound on each measurement loop", "3000")
    .option("--only <list>", "only these scenarios: direct,api,channel,connections,bridge")
    .option(
      "--peers",
      "also run the same scenarios against mosquitto and nats-server (apt-get install -y mosquitto nats-server)",
      false,
    )
    .action(
      async (
        opts: {
          jsonFile?: string;
          html?: string;
          quick: boolean;
          placements: string;
          connections: string;
          maxMs: string;
          only?: string;
          peers: boolean;
        },
        cmd: Command,
      ) => {
        const g = globals(cmd);
        const { runBench, renderTable, writeReports } = await loadBench();
        // The bench knows its number of steps only once it starts; the bar appears with the first one.
        let bar: Progress | undefined;
        const results = await runBench({
          placements: opts.placements.split(",") as ("separate" | "shared")[],
          scale: opts.quick ? 0.1 : 1,
          connections: positiveInt("--connections", opts.connections),
          maxMs: positiveInt("--max-ms", opts.maxMs),
          only: opts.only?.split(","),
          peers: opts.peers,
          onStep: (done, total, label) => {
            bar ??= progress(total, "steps");
            bar.update(done, label);
            if (!process.stderr.isTTY) process.stderr.write(`nexus: bench ${done}/${total} ${label}\n`);
          },
        });
        bar?.stop();
        process.stdout.write(`${g.json ? JSON.stringify(results) : renderTable(results)}\n`);
        for (const file of writeReports(results, { json: opts.jsonFile, html: opts.html }))
          process.stderr.write(`nexus: wrote ${file}\n`);
      },
    );
}

type BenchModules = typeof import("../../../bench/bench") &
  typeof import("../../../bench/report/table") &
  typeof import("../../../bench/report/write");

/**
 * The bench's TypeScript, loaded through tsx at run time: it pulls in wrangler, which the bundled CLI
 * leaves out (the other commands start in tens of milliseconds without it).
 */
async function loadBench(): Promise<BenchModules> {
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, "bench", "bench.ts"))) {
    if (dirname(root) === root) throw new Error("nexus bench runs from a Nexus checkout (bench/bench.ts not found)");
    root = dirname(root);
  }
  const { register } = await import("tsx/esm/api");
  register();
  const load = (path: string) => import(pathToFileURL(join(root, path)).href);
  const [bench, table, write] = await Promise.all([
    load("bench/bench.ts"),
    load("bench/report/table.ts"),
    load("bench/report/write.ts"),
  ]);
  return { ...bench, ...table, ...write } as BenchModules;
}
