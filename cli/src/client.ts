import { connect, type NexusClient } from "@qe/nexus-sdk";
import { CliError, describeError } from "./cli-error";
import { type GlobalOptions, requireToken } from "./global-options";

/** How a command connects: a kind (the server picks the suffix) or an exact resource. */
export type Target = { kind: string } | { resource: string };

/**
 * Connects to the edge with the global `--url` and `--token`. One-shot commands do not reconnect,
 * so a drop fails them at once; long-running ones (`sub`, `serve`) do.
 *
 * @example
 * ```ts
 * const nx = await openClient(globals(cmd), { kind: "webuo" }, { reconnect: false });
 * ```
 */
export async function openClient(g: GlobalOptions, target: Target, options: { reconnect: boolean }): Promise<NexusClient> {
  const token = requireToken(g);
  try {
    return await connect({
      url: g.url,
      token,
      ...target,
      reconnect: options.reconnect ? undefined : false,
      connectTimeoutMs: 10_000,
    });
  } catch (err) {
    const { code, message } = describeError(err);
    // The SDK reports a refused TCP connection as `disconnected`; for a CLI that is "cannot reach --url".
    if (code === "disconnected")
      throw new CliError("unreachable", `${message} (is the edge running at ${g.url}?)`, { cause: err });
    throw err;
  }
}

/**
 * Runs `work` with a connected client and always closes it.
 *
 * @example
 * ```ts
 * await withClient(g, { kind: "webuo" }, (nx) => nx.publish("prices", "42", { ack: true }));
 * ```
 */
export async function withClient<T>(g: GlobalOptions, target: Target, work: (nx: NexusClient) => Promise<T>): Promise<T> {
  const nx = await openClient(g, target, { reconnect: false });
  try {
    return await work(nx);
  } finally {
    await nx.close();
  }
}
