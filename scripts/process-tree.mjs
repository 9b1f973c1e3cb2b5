// Which processes descend from a pid, and whether a pid still names the same process. Plain
// JavaScript (no tsx), so the watchdog can load it at once; types in process-tree.d.mts.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";

function fromProc() {
  const out = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const info = procStat(Number(entry));
    if (info) out.push(info);
  }
  return out;
}

function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The name sits in parentheses and may itself hold spaces or ")": the fields follow the last ")".
    const close = stat.lastIndexOf(")");
    const name = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    // fields[0] is field 3 (state); ppid is field 4, starttime field 22.
    return { pid, ppid: Number(fields[1]), start: fields[19], name };
  } catch {
    return undefined;
  }
}

function fromPs() {
  const text = execFileSync("ps", ["-A", "-o", "pid=,ppid=,lstart=,comm="], { encoding: "utf8" });
  const out = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+\s+\S+\s+\d+\s+[\d:]+\s+\d+)\s+(.*)$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), ppid: Number(m[2]), start: m[3], name: m[4].split("/").pop() });
  }
  return out;
}

/**
 * Every process on the machine: pid, parent pid, a start stamp (so a reused pid is not mistaken
 * for the process that had it) and the executable's name. Linux reads /proc; elsewhere `ps`.
 *
 * @example
 * listProcesses().find((p) => p.pid === process.pid); // { pid, ppid, start, name: "node" }
 */
export function listProcesses() {
  return existsSync("/proc/self/stat") ? fromProc() : fromPs();
}

/**
 * The processes that descend from `pid` (children, their children, ...), parents first.
 *
 * @example
 * descendantsOf(process.pid).filter((p) => p.name === "workerd");
 */
export function descendantsOf(pid, all = listProcesses()) {
  const byParent = new Map();
  for (const p of all) {
    const siblings = byParent.get(p.ppid) ?? [];
    siblings.push(p);
    byParent.set(p.ppid, siblings);
  }
  const out = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/**
 * True while `p.pid` is still the process that `p` described (same start stamp).
 *
 * @example
 * if (isSameProcess(workerd)) process.kill(workerd.pid, "SIGTERM");
 */
export function isSameProcess(p) {
  if (existsSync("/proc/self/stat")) return procStat(p.pid)?.start === p.start;
  return fromPs().some((q) => q.pid === p.pid && q.start === p.start);
}
