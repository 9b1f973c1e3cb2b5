import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { nextEvent } from "./next-event";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CLIENTS = join(ROOT, "test", "faults", "clients");

/** The SDKs a fault client can be written in. */
export type Lang = "ts" | "py" | "go";

/** One line a fault client printed, with the moment the test read it (`performance.now()`). */
export interface ClientEvent {
  event: "ready" | "state" | "msg" | "call" | "resubscribed" | "published" | "publish_failed" | "fatal";
  at: number;
  [field: string]: unknown;
}

/** What a fault client does: serve `method` and subscribe `channel` (either optional). */
export interface FaultClientOptions {
  url: string;
  token: string;
  kind?: string;
  method?: string;
  channel?: string;
}

/**
 * A real SDK client in its own process (test/faults/clients/: TypeScript, Python or Go), driven by JSON
 * lines: it prints `ready`, `state`, `msg`, `call`, `resubscribed`, `published` events and reads
 * `{"cmd":"publish",...}` and `{"cmd":"exit"}` commands. It serves `method`: `"hang"` is never answered,
 * anything else is answered `{by: lang, data}`.
 *
 * @example
 * ```ts
 * const py = FaultClient.start("py", { url, token, method: "echo", channel: "numbers" }, { python });
 * await py.ready;
 * await py.next((e) => e.event === "msg" && e.text === "1", "message 1");
 * ```
 */
export class FaultClient {
  readonly events: ClientEvent[] = [];
  readonly ready: Promise<ClientEvent>;
  readonly exited: Promise<NodeJS.Signals | number | null>;
  private readonly listeners = new Set<() => void>();
  private stderr = "";

  private constructor(
    readonly lang: Lang,
    readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let parsed: Omit<ClientEvent, "at">;
      try {
        parsed = JSON.parse(line) as Omit<ClientEvent, "at">;
      } catch {
        return; // not ours (a library's print)
      }
      this.events.push({ ...parsed, at: performance.now() } as ClientEvent);
      for (const l of this.listeners) l();
    });
    child.stderr!.on("data", (d) => {
      this.stderr += d;
    });
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
    void this.exited.then(() => {
      for (const l of this.listeners) l();
    });
    this.ready = this.next((e) => e.event === "ready", "ready");
  }

  /** Starts a client; `python` and `goBinary` name the interpreter and the built Go client. */
  static start(lang: Lang, options: FaultClientOptions, tools: { python?: string; goBinary?: string } = {}): FaultClient {
    const env = {
      ...process.env,
      NEXUS_URL: options.url,
      NEXUS_TOKEN: options.token,
      FAULT_KIND: options.kind ?? { ts: "default", py: "pydefault", go: "godefault" }[lang],
      FAULT_METHOD: options.method ?? "",
      FAULT_CHANNEL: options.channel ?? "",
    };
    const [command, args] =
      lang === "ts"
        ? [process.execPath, ["--import", "tsx", "--conditions=source", join(CLIENTS, "ts-client.ts")]]
        : lang === "py"
          ? [tools.python ?? "python3", [join(CLIENTS, "py_client.py")]]
          : [tools.goBinary ?? "", []];
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    return new FaultClient(lang, child);
  }

  /**
   * The first event at index `from` or later that matches, waiting for it; rejects after `timeoutMs`
   * (a bound, so a broken behaviour fails instead of hanging) or when the process exits first.
   */
  next(match: (e: ClientEvent) => boolean, what: string, from = 0, timeoutMs = 60_000): Promise<ClientEvent> {
    return nextEvent(
      { events: this.events, listeners: this.listeners },
      match,
      from,
      timeoutMs,
      () => new Error(`${this.lang} client: no ${what} within ${timeoutMs} ms${this.tail()}`),
      () =>
        this.child.exitCode !== null || this.child.signalCode !== null
          ? new Error(`${this.lang} client exited before ${what}${this.tail()}`)
          : undefined,
    );
  }

  /** Every `msg` event so far, as `[seq, text]`. */
  messages(): { seq: number; text: string; retained: boolean }[] {
    return this.events
      .filter((e) => e.event === "msg")
      .map((e) => ({ seq: e.seq as number, text: e.text as string, retained: e.retained === true }));
  }

  /** Sends one command line. */
  send(command: { cmd: "publish"; channel: string; text: string } | { cmd: "exit" }): void {
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /** Kills the process (SIGKILL unless told otherwise) and waits until it is gone; safe to call twice. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }

  private tail(): string {
    const err = this.stderr.trim().split("\n").slice(-15).join("\n");
    return err ? `\n--- stderr ---\n${err}` : "";
  }
}
