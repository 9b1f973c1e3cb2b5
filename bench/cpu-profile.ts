import { writeFileSync } from "node:fs";
import { connectInspector } from "./inspector";

/** One CPU profile of the edge's isolate, summarised: where its JS time went. */
export interface CpuSummary {
  /** Wall time the profile covers, in ms. */
  totalMs: number;
  /** Time the isolate was idle (waiting for I/O or the runtime), in ms. */
  idleMs: number;
  /** Time in the runtime's own code outside JS (V8's "(program)"), in ms. */
  programMs: number;
  /** Garbage collection, in ms. */
  gcMs: number;
  /** The functions with the most self time: `name (file:line) ms`. */
  top: { name: string; ms: number }[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/**
 * Records a V8 CPU profile of the runtime's isolate (a stack started with `inspectorPort`) while
 * `work` runs, and sums self time per function. This is the way to see what bounds a path in
 * workerd, which has no `--cpu-prof`: the DevTools protocol's Profiler, over the inspector.
 *
 * @example
 * ```ts
 * const { result, profile } = await profileWhile(inspectorPort, () => runWindow(...));
 * console.log(profile.top.slice(0, 10));
 * ```
 */
export async function profileWhile<T>(
  inspectorPort: number,
  work: () => Promise<T>,
): Promise<{ result: T; profile: CpuSummary }> {
  const inspector = await connectInspector(inspectorPort);
  const call = inspector.call;
  try {
    await call("Profiler.enable");
    await call("Profiler.setSamplingInterval", { interval: 100 });
    await call("Profiler.start");
    const result = await work();
    const { profile } = await call<{
      profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
    }>("Profiler.stop");
    if (process.env.NEXUS_PROFILE_DUMP) writeFileSync(process.env.NEXUS_PROFILE_DUMP, JSON.stringify(profile));
    return { result, profile: summarise(profile) };
  } finally {
    inspector.close();
  }
}

function summarise(p: {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}): CpuSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const byName = new Map<string, number>();
  let idleMs = 0;
  let programMs = 0;
  let gcMs = 0;
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === "(idle)") idleMs += ms;
    else if (f.functionName === "(program)") programMs += ms;
    else if (f.functionName === "(garbage collector)") gcMs += ms;
    const file = f.url.split("/").pop() ?? "";
    const name = `${f.functionName || "(anonymous)"} (${file}:${f.lineNumber + 1})`;
    byName.set(name, (byName.get(name) ?? 0) + ms);
  }
  const top = [...byName].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
  return { totalMs: (p.endTime - p.startTime) / 1000, idleMs, programMs, gcMs, top: top.slice(0, 40) };
}
