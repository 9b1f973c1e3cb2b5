import type { Identity } from "../protocol/frames";
import type { SessionIndex } from "./session-index";

/** A channel with local subscribers, as the console's Channels browser lists it. */
export interface LocalChannel {
  channel: string;
  /** This app's blocks subscribed to it. */
  subscribers: number;
}

/** A block with what it serves and what it listens to, as the console's block view shows it. */
export interface BlockDetail extends Identity {
  since: number;
  /** What a worker serves (`["*"]` for every method); frontends: undefined. */
  methods: string[] | undefined;
  channels: string[];
}

/**
 * The channels this app object's blocks subscribe to, with how many of them do.
 *
 * @example
 * ```ts
 * localChannels(blocks.index); // [{ channel: "prices", subscribers: 2 }]
 * ```
 */
export function localChannels(index: SessionIndex<unknown>): LocalChannel[] {
  return [...index.channels].map(([channel, subs]) => ({ channel, subscribers: subs.size }));
}

/**
 * Every block of this app object, oldest first, with its served methods and channels.
 *
 * @example
 * ```ts
 * blockDetails(blocks.index)[0]?.methods; // ["sum"]
 * ```
 */
export function blockDetails(index: SessionIndex<unknown>): BlockDetail[] {
  return [...index.byConn.values()]
    .map((s) => ({
      ...s.identity,
      since: s.since,
      methods: s.worker ? [...s.methods].sort() : undefined,
      channels: [...s.channels].sort(),
    }))
    .sort((a, b) => a.since - b.since || a.jid.localeCompare(b.jid));
}
