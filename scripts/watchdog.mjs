// The orphan guard of `npm start`: a tiny process that stops every process `npm start` started
// when `npm start` itself ends, however it ends (SIGKILL and OOM kills included, which no handler in
// the dying process can catch). Its parent holds the write end of its stdin; the kernel closes it
// when the parent dies, so the end of stdin is the parent's death.
//
// It remembers the parent's descendants (scanned every 500 ms, and at once on a "scan" line), and
// when stdin ends it sends SIGTERM to those still alive (the same process, not a reused pid), then
// SIGKILL to any that remain after 3 s.
import { descendantsOf, isSameProcess } from "./process-tree.mjs";

const parent = process.ppid;
const known = new Map();

function scan() {
  for (const p of descendantsOf(parent)) if (p.pid !== process.pid) known.set(`${p.pid}:${p.start}`, p);
  for (const [key, p] of known) if (!isSameProcess(p)) known.delete(key);
}

function alive() {
  return [...known.values()].filter((p) => isSameProcess(p));
}

function signal(processes, name) {
  for (const p of processes) {
    try {
      process.kill(p.pid, name);
    } catch {
      // already gone
    }
  }
}

async function stopOrphans() {
  clearInterval(timer);
  const left = alive();
  if (left.length === 0) process.exit(0);
  process.stderr.write(
    `nexus: npm start (pid ${parent}) ended; stopping what it started: ${left.map((p) => `${p.name} ${p.pid}`).join(", ")}\n`,
  );
  signal(left, "SIGTERM");
  const deadline = Date.now() + 3000;
  while (alive().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  signal(alive(), "SIGKILL");
  process.exit(0);
}

const timer = setInterval(scan, 500);
scan();
process.stdin.setEncoding("utf8");
process.stdin.on("data", (text) => {
  if (text.includes("scan")) scan();
});
process.stdin.on("end", () => void stopOrphans());
process.stdin.on("error", () => void stopOrphans());
// Ctrl+C reaches the whole foreground group; the parent stops its children itself, and this guard
// must outlive it to catch what the parent could not stop.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});
