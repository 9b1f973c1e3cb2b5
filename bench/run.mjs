// `npm run bench` (package.json: "node bench/run.mjs"): loads the TypeScript bench through tsx.
import { register } from "tsx/esm/api";

register();
await import("./run.ts");
