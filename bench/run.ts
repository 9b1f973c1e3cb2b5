import { parseArgs } from "node:util";
import { runBench } from "./bench";
import type { Placement } from "./pin";
import { renderTable } from "./report/table";
import { writeReports } from "./report/write";

// npm run bench -- [--json FILE] [--html FILE] [--quick] [--placements separate,shared] [--max-ms 3000]
//                   [--connections 10000] [--connection-rounds 10] [--only direct,api,channel,connections,bridge] [--peers]
const { values } = parseArgs({
  options: {
    // The reports go beside the table by default (bench-results/ is gitignored).
    json: { type: "string", default: "bench-results/latest.json" },
    html: { type: "string", default: "bench-results/latest.html" },
    quick: { type: "boolean", default: false },
    placements: { type: "string", default: "separate,shared" },
    "max-ms": { type: "string", default: "3000" },
    connections: { type: "string", default: "10000" },
    "connection-rounds": { type: "string", default: "10" },
    only: { type: "string" },
    peers: { type: "boolean", default: false },
  },
});

const results = await runBench({
  placements: values.placements.split(",") as Placement[],
  maxMs: Number(values["max-ms"]),
  scale: values.quick ? 0.1 : 1,
  connections: Number(values.connections),
  connectionRounds: Number(values["connection-rounds"]),
  only: values.only?.split(","),
  peers: values.peers,
  log: (m) => console.error(m),
});
console.log(renderTable(results));
for (const file of writeReports(results, { json: values.json, html: values.html })) console.log(`wrote ${file}`);
