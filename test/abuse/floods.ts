import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import WebSocket from "ws";
import type { TestStack } from "../support/stack";
import { type Block, openBlock, type Received, UpgradeRefused } from "../support/ws-client";

// The floods of the hostile-client suite, each as a hostile client would run it, parameterised by
// the limits the edge runs with: the tests run them against small configured limits, and
// bench/abuse-figures.ts against the defaults. Each returns what the edge answered (for the report)
// and the counts the tests assert on.

/** What a flood saw: one line for the report, and its counts. */
export interface FloodReport<T> {
  answered: string;
  details: T;
}

let floods = 0;
const unique = (what: string): string => `flood-${what}-${++floods}-${randomBytes(3).toString("hex")}`;

/** Opens a block of `uid` in `app`, failing fast if the edge refuses. */
async function block(s: TestStack, uid: string, app: string, target: { kind: string } | { resource: string }): Promise<Block> {
  return s.open(uid, app, target);
}

/** Counts the answers a block gets, by `t` or error `code`, and waits for a total or its close. */
function tally(b: Block): { counts: Map<string, number>; until(total: number, timeoutMs?: number): Promise<number | undefined> } {
  const counts = new Map<string, number>();
  let answered = 0;
  let closedWith: number | undefined;
  const waiters: (() => void)[] = [];
  b.ws.on("message", (raw) => {
    const f = JSON.parse(String(raw)) as Received;
    const key = f.t === "error" ? f.code : f.t === "api.result" && !f.ok ? f.error.code : f.t;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    answered++;
    for (const w of waiters) w();
  });
  b.ws.on("close", (code) => {
    closedWith = code;
    for (const w of waiters) w();
  });
  return {
    counts,
    until(total, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${answered} of ${total} answers: ${JSON.stringify([...counts])}`)),
          timeoutMs,
        );
        const check = () => {
          if (answered < total && closedWith === undefined) return;
          clearTimeout(timer);
          resolve(closedWith);
        };
        waiters.push(check);
        check();
      });
    },
  };
}

/** Counts answers by `t`, or by `code` for errors. */
function countAnswers(answers: Received[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a.t === "error" ? a.code : a.t, (counts.get(a.t === "error" ? a.code : a.t) ?? 0) + 1);
  return counts;
}

/** What a block's first use of `count` fresh channels got, what using the acked ones again got, and the first refusal. */
export type FirstUses = { first: Record<string, number>; again: Record<string, number>; refusal: Received | undefined };

const summary = (counts: Map<string, number>): string =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");

/**
 * Frames: `connections` blocks of one uid each send `frames` Directs (with ids, to a worker that is
 * not online, so each is answered `offline` when admitted) as fast as the socket takes them.
 */
export async function floodFrames(
  s: TestStack,
  opts: { frames: number; connections: number },
): Promise<FloodReport<{ answers: Record<string, number>; closes: (number | undefined)[] }>> {
  const app = unique("frames");
  await s.createApp(app, "flooder");
  const blocks = await Promise.all(Array.from({ length: opts.connections }, () => block(s, "flooder", app, { kind: "webuo" })));
  const tallies = blocks.map((b) => tally(b));
  const payload = (i: number) => `{"t":"direct","id":"d${i}","app":"${app}","resource":"default0","data":"x"}`;
  for (let i = 0; i < opts.frames; i++) for (const b of blocks) b.send(payload(i));
  const closes = await Promise.all(tallies.map((t) => t.until(opts.frames, 60_000)));
  const answers: Record<string, number> = {};
  for (const t of tallies) for (const [k, n] of t.counts) answers[k] = (answers[k] ?? 0) + n;
  await Promise.all(blocks.map((b) => b.close()));
  const closed = closes.filter((c) => c !== undefined);
  return {
    answered: `${summary(new Map(Object.entries(answers)))}${closed.length ? `; closed ${closed.join(", ")}` : ""}`,
    details: { answers, closes },
  };
}

/**
 * Subscriptions: one block subscribes to `count` channels, pipelined; then a second block of the
 * same uid subscribes to `count` more (the per-user bound).
 */
export async function floodSubscriptions(
  s: TestStack,
  opts: { count: number; secondBlock?: number },
): Promise<FloodReport<{ first: Record<string, number>; second: Record<string, number>; refusals: Received[] }>> {
  const app = unique("subs");
  await s.createApp(app, "flooder");
  const refusals: Received[] = [];
  const run = async (b: Block, n: number, tag: string) => {
    const counts = new Map<string, number>();
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => b.request({ t: "sub", id: `${tag}${i}`, channel: `${app}/${tag}/${i}` }, 120_000)),
    );
    for (const a of answers) {
      const k = a.t === "error" ? a.code : a.t;
      counts.set(k, (counts.get(k) ?? 0) + 1);
      if (a.t === "error" && refusals.length < 50) refusals.push(a);
    }
    return counts;
  };
  const one = await block(s, "flooder", app, { kind: "webuo" });
  const first = await run(one, opts.count, "a");
  const two = await block(s, "flooder", app, { kind: "webuo" });
  const second = await run(two, opts.secondBlock ?? 0, "b");
  await Promise.all([one.close(), two.close()]);
  const quotas = [...new Set(refusals.map((r) => r.quota))].join(", ");
  return {
    answered: `first block: ${summary(first)}; second block: ${summary(second)}${quotas ? ` (quota ${quotas})` : ""}`,
    details: { first: Object.fromEntries(first), second: Object.fromEntries(second), refusals },
  };
}

/**
 * New channels: one block subscribes to `count` channels nobody in its app is on (each makes the
 * edge start a channel object), at once; then a second block of the same user subscribes to the
 * channels the first one got, which the app is on already.
 */
export async function floodNewChannels(s: TestStack, opts: { count: number }): Promise<FloodReport<FirstUses>> {
  const app = unique("newch");
  await s.createApp(app, "flooder");
  const one = await block(s, "flooder", app, { kind: "webuo" });
  const channels = Array.from({ length: opts.count }, (_, i) => `${app}/c${i}`);
  const answers = await Promise.all(channels.map((channel, i) => one.request({ t: "sub", id: `n${i}`, channel }, 120_000)));
  const first = countAnswers(answers);
  const refusal = answers.find((a) => a.t === "error");
  const joined = channels.filter((_, i) => answers[i]!.t === "ack");
  const two = await block(s, "flooder", app, { kind: "webuo" });
  const again = countAnswers(
    await Promise.all(joined.map((channel, i) => two.request({ t: "sub", id: `m${i}`, channel }, 120_000))),
  );
  await Promise.all([one.close(), two.close()]);
  return {
    answered: `new channels: ${summary(first)}${refusal?.t === "error" ? ` ("${refusal.message}")` : ""}; the same channels from a second block: ${summary(again)}`,
    details: { first: Object.fromEntries(first), again: Object.fromEntries(again), refusal },
  };
}

/**
 * Publishes to fresh channels: one block publishes once to each of `count` channel names nobody is
 * on (each would start a channel object), then once more to each channel whose publish was acked.
 */
export async function floodNewPubChannels(s: TestStack, opts: { count: number }): Promise<FloodReport<FirstUses>> {
  const app = unique("newpub");
  await s.createApp(app, "flooder");
  const one = await block(s, "flooder", app, { kind: "webuo" });
  const channels = Array.from({ length: opts.count }, (_, i) => `${app}/d${i}`);
  const answers = await Promise.all(
    channels.map((channel, i) => one.request({ t: "pub", id: `p${i}`, channel, data: String(i) }, 120_000)),
  );
  const first = countAnswers(answers);
  const refusal = answers.find((a) => a.t === "error");
  const published = channels.filter((_, i) => answers[i]!.t === "ack");
  const again = countAnswers(
    await Promise.all(published.map((channel, i) => one.request({ t: "pub", id: `q${i}`, channel, data: String(i) }, 120_000))),
  );
  await one.close();
  return {
    answered: `first publishes: ${summary(first)}${refusal?.t === "error" ? ` ("${refusal.message}")` : ""}; again to the acked channels: ${summary(again)}`,
    details: { first: Object.fromEntries(first), again: Object.fromEntries(again), refusal },
  };
}

/**
 * Pending calls: a worker that never answers, and `callers` blocks of one uid that each send
 * `perCaller` calls to it at once. The calls past a quota come back `quota_exceeded` at once; the
 * others stay in flight until the callers close (which cancels them).
 */
export async function floodPendingCalls(
  s: TestStack,
  opts: { perCaller: number; callers: number; expectRefused: number; userRole?: boolean },
): Promise<FloodReport<{ refused: Received[]; inFlight: number }>> {
  const app = unique("calls");
  await s.createApp(app, "owner");
  // With userRole, the worker is the caller's own user-role worker (what any user of an app may run).
  const workerUid = opts.userRole ? "mere" : "owner";
  const worker = await block(s, workerUid, app, { kind: "default" });
  await worker.request({ t: "serve", id: "s", methods: ["hang"] });
  const callers = await Promise.all(Array.from({ length: opts.callers }, () => block(s, "mere", app, { kind: "webuo" })));
  const refused: Received[] = [];
  let waiting: (() => void) | undefined;
  for (const c of callers) {
    c.ws.on("message", (raw) => {
      const f = JSON.parse(String(raw)) as Received;
      if (f.t === "api.result") {
        refused.push(f);
        waiting?.();
      }
    });
  }
  for (const [n, c] of callers.entries()) {
    for (let i = 0; i < opts.perCaller; i++) {
      c.send({ t: "api", id: `c${n}-${i}`, app, method: "hang", data: i, ...(opts.userRole ? { uid: workerUid } : {}) });
    }
  }
  if (refused.length < opts.expectRefused) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${refused.length} of ${opts.expectRefused} refusals`)), 30_000);
      waiting = () => {
        if (refused.length < opts.expectRefused) return;
        clearTimeout(timer);
        resolve();
      };
    });
  }
  // Every call that was not refused reached the worker: count its api.req frames.
  const inFlight = opts.callers * opts.perCaller - refused.length;
  for (let i = 0; i < inFlight; i++) await worker.next((f) => f.t === "api.req", 30_000);
  await Promise.all(callers.map((c) => c.close()));
  await worker.close();
  const codes = new Map<string, number>();
  for (const r of refused) {
    const key = `${r.error?.code} ${r.error?.quota ?? ""}`.trim();
    codes.set(key, (codes.get(key) ?? 0) + 1);
  }
  return { answered: `${inFlight} in flight, ${summary(codes)} at once`, details: { refused, inFlight } };
}

/** Served methods: a worker serves `keep`, then tries to serve `count` names. */
export async function floodServedMethods(
  s: TestStack,
  opts: { count: number },
): Promise<FloodReport<{ refusal: Received; keptServing: Received }>> {
  const app = unique("serve");
  await s.createApp(app, "owner");
  const worker = await block(s, "owner", app, { kind: "default" });
  worker.ws.on("message", (raw) => {
    const f = JSON.parse(String(raw)) as Received;
    if (f.t === "api.req") worker.send({ t: "api.res", rid: f.rid, ok: true, data: "kept" });
  });
  await worker.request({ t: "serve", id: "s0", methods: ["keep"] });
  const methods = Array.from({ length: opts.count }, (_, i) => `m${i}-${randomBytes(4).toString("hex")}`);
  const refusal = await worker.request({ t: "serve", id: "s1", methods });
  const caller = await block(s, "owner", app, { kind: "webuo" });
  const keptServing = await caller.request({ t: "api", id: "c1", app, method: "keep", data: null });
  await Promise.all([worker.close(), caller.close()]);
  return {
    answered: `serve of ${opts.count} names: ${refusal.t} ${refusal.code ?? ""} ${refusal.quota ?? ""}; previous set kept: ${keptServing.ok}`,
    details: { refusal, keptServing },
  };
}

/** Connections per user: one token opens `count` blocks, one after the other. */
export async function floodConnections(
  s: TestStack,
  opts: { count: number },
): Promise<FloodReport<{ opened: number; refusals: { status: number; body: any }[]; reopened: boolean }>> {
  const app = unique("conns");
  await s.createApp(app, "owner");
  const token = await s.token({ uid: "flooder", app });
  const open: Block[] = [];
  const refusals: { status: number; body: any }[] = [];
  for (let i = 0; i < opts.count; i++) {
    try {
      open.push(await openBlock(s.connectUrlFor(token, { kind: "webuo" })));
    } catch (err) {
      if (!(err instanceof UpgradeRefused)) throw err;
      refusals.push({ status: err.status, body: err.body });
    }
  }
  // Closing one block gives its place back.
  let reopened = false;
  if (refusals.length > 0 && open.length > 0) {
    await open.pop()!.close();
    open.push(await openBlock(s.connectUrlFor(token, { kind: "webuo" })));
    reopened = true;
  }
  await Promise.all(open.map((b) => b.close()));
  const first = refusals[0];
  return {
    answered: `${open.length} open, ${refusals.length} refused${first ? ` with ${first.status} ${first.body?.error?.code}` : ""}; a freed place reopened: ${reopened}`,
    details: { opened: open.length, refusals, reopened },
  };
}

/** Unknown apps: `count` each of `api`, `direct` (with id) and `find` naming random unregistered apps. */
export async function floodUnknownApps(
  s: TestStack,
  opts: { count: number },
): Promise<FloodReport<{ answers: Record<string, number>; listed: string[]; tables: string[][] }>> {
  const app = unique("unknown");
  await s.createApp(app, "owner");
  const b = await block(s, "owner", app, { kind: "webuo" });
  const names = Array.from({ length: opts.count }, () => `nx${randomBytes(8).toString("hex")}`);
  const answers = new Map<string, number>();
  const count = (f: Received) => {
    const k = `${f.t} ${f.t === "error" ? f.code : f.t === "api.result" ? (f.ok ? "ok" : f.error.code) : f.t === "find.result" ? `${f.blocks.length} blocks` : ""}`;
    answers.set(k, (answers.get(k) ?? 0) + 1);
  };
  const all = names.flatMap((name, i) => [
    b.request({ t: "api", id: `a${i}`, app: name, method: "m", data: null }, 120_000),
    b.request({ t: "direct", id: `d${i}`, app: name, resource: "default1", data: "x" }, 120_000),
    b.request({ t: "find", id: `f${i}`, app: name }, 120_000),
  ]);
  for (const f of await Promise.all(all)) count(f);
  await b.close();
  const listed = ((await s.admin("GET", "/v1/admin/apps")).body.apps as { app: string }[])
    .map((a) => a.app)
    .filter((a) => names.includes(a));
  // The tables that the objects of two of the names hold (the runtime's own, `_...`, left out).
  const tablesOf = async (name: string) =>
    ((await s.admin("GET", `/v1/admin/apps/${name}/stats`)).body.state.storedTables as string[]).filter(
      (t) => !t.startsWith("_"),
    );
  const tables = await Promise.all([names[0]!, names[names.length - 1]!].map(tablesOf));
  return {
    answered: `${summary(answers)}; unknown apps in the registry listing afterwards: ${listed.length}; tables in their objects' storage: ${tables.flat().length}`,
    details: { answers: Object.fromEntries(answers), listed, tables },
  };
}

/** Retained values: one block parks `valueBytes` retained values on `count` channels of its own. */
export async function floodRetained(
  s: TestStack,
  opts: { count: number; valueBytes: number },
): Promise<FloodReport<{ acked: number; refusals: Received[]; clearedThenFits: boolean }>> {
  const app = unique("retain");
  await s.createApp(app, "owner");
  const b = await block(s, "owner", app, { kind: "webuo" });
  const value = "r".repeat(opts.valueBytes);
  let acked = 0;
  const refusals: Received[] = [];
  let lastAcked: string | undefined;
  for (let i = 0; i < opts.count; i++) {
    const channel = `${app}/r${i}`;
    const a = await b.request({ t: "pub", id: `p${i}`, channel, data: value, retain: true }, 60_000);
    if (a.t === "ack") {
      acked++;
      lastAcked = channel;
    } else refusals.push(a);
  }
  // Clearing a retained value gives its bytes back.
  let clearedThenFits = false;
  if (refusals.length > 0 && lastAcked) {
    await b.request({ t: "pub", id: "clear", channel: lastAcked, data: "", retain: true });
    const again = await b.request({ t: "pub", id: "again", channel: `${app}/again`, data: value, retain: true });
    clearedThenFits = again.t === "ack";
  }
  await b.close();
  const first = refusals[0];
  return {
    answered: `${acked} retained values of ${opts.valueBytes} B acked, ${refusals.length} refused${first ? ` with ${first.code} ${first.quota ?? ""}` : ""}; after clearing one, another fits: ${clearedThenFits}`,
    details: { acked, refusals, clearedThenFits },
  };
}

/**
 * A slow consumer: a block subscribes and then stops reading (its TCP socket paused); a publisher
 * sends `messages` messages of `messageBytes` to its channel. Then the consumer reads again, and
 * what it finds at the end of its stream is the edge's answer.
 */
export async function floodSlowConsumer(
  s: TestStack,
  opts: { messages: number; messageBytes: number },
): Promise<FloodReport<{ closeCode: number; received: number; publisherAcks: number }>> {
  const app = unique("slow");
  await s.createApp(app, "owner");
  const channel = `${app}/firehose`;
  const token = await s.token({ uid: "slow", app });
  let tcp: Socket | undefined;
  // closeTimeout: workerd holds the TCP connection for seconds after its close frame (see ws-client.ts).
  const wsOptions: WebSocket.ClientOptions & { closeTimeout: number } = { perMessageDeflate: false, closeTimeout: 200 };
  const ws = new WebSocket(s.connectUrlFor(token, { kind: "webuo" }), wsOptions);
  // The 101 response carries the TCP socket: pausing it stops reading without touching ws itself.
  ws.on("upgrade", (res) => {
    tcp = res.socket;
  });
  let received = 0;
  const frames: Received[] = [];
  const waiters: (() => void)[] = [];
  ws.on("message", (raw) => {
    const f = JSON.parse(String(raw)) as Received;
    if (f.t === "msg") received++;
    else frames.push(f);
    for (const w of waiters) w();
  });
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  const frame = (match: (f: Received) => boolean) =>
    new Promise<Received>((resolve) => {
      const check = () => {
        const f = frames.find(match);
        if (f) resolve(f);
      };
      waiters.push(check);
      check();
    });
  await frame((f) => f.t === "welcome");
  ws.send(JSON.stringify({ t: "sub", id: "s1", channel }));
  await frame((f) => f.id === "s1");
  tcp!.pause();

  const publisher = await block(s, "owner", app, { kind: "webuo" });
  const data = "m".repeat(opts.messageBytes);
  let publisherAcks = 0;
  for (let i = 0; i < opts.messages; i++) {
    const a = await publisher.request({ t: "pub", id: `p${i}`, channel, data }, 60_000);
    if (a.t === "ack") publisherAcks++;
  }
  tcp!.resume();
  const closeCode = await closed;
  await publisher.close();
  return {
    answered: `publisher: ${publisherAcks}/${opts.messages} acked; the consumer read ${received} messages (${((received * opts.messageBytes) / 2 ** 20).toFixed(1)} MiB), then close ${closeCode}`,
    details: { closeCode, received, publisherAcks },
  };
}

/** `depth` levels of nested arrays around a number: `[[[...1...]]]`. */
export function nested(depth: number): string {
  return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
}

/**
 * Deep nesting: a client frame whose data nests `depth` levels, and a worker's `api.res` nesting
 * `depth` levels in answer to a call.
 */
export async function floodNesting(
  s: TestStack,
  opts: { depth: number },
): Promise<FloodReport<{ frameAnswer: Received; workerAnswer: Received; callerResult: Received; stillServes: Received }>> {
  const app = unique("nest");
  await s.createApp(app, "owner");
  const worker = await block(s, "owner", app, { kind: "default" });
  await worker.request({ t: "serve", id: "s", methods: ["deep", "flat"] });
  const caller = await block(s, "owner", app, { kind: "webuo" });
  caller.send(`{"t":"api","id":"n1","app":"${app}","method":"deep","data":${nested(opts.depth)}}`);
  const frameAnswer = await caller.next((f) => f.id === "n1");

  caller.send({ t: "api", id: "n2", app, method: "deep", data: "give me depth" });
  const req = await worker.next((f) => f.t === "api.req");
  worker.send(`{"t":"api.res","rid":${JSON.stringify(req.rid)},"ok":true,"data":${nested(opts.depth)}}`);
  const workerAnswer = await worker.next((f) => f.t === "error");
  const callerResult = await caller.next((f) => f.id === "n2");

  // Both connections carry on.
  caller.send({ t: "api", id: "n3", app, method: "flat", data: 1 });
  const flat = await worker.next((f) => f.t === "api.req");
  worker.send({ t: "api.res", rid: flat.rid, ok: true, data: 2 });
  const stillServes = await caller.next((f) => f.id === "n3");
  await Promise.all([worker.close(), caller.close()]);
  return {
    answered: `frame nested ${opts.depth}: ${frameAnswer.t} ${frameAnswer.code ?? ""}; api.res nested ${opts.depth}: worker got ${workerAnswer.code}, caller got ${callerResult.ok ? "ok" : callerResult.error?.code}`,
    details: { frameAnswer, workerAnswer, callerResult, stillServes },
  };
}
