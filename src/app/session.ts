import type { Identity } from "../protocol/frames";
import type { TokenBucket } from "./rate-limit";

/**
 * What survives hibernation on the socket itself (kept small: the runtime caps attachments at 2 KiB).
 * Serve declarations and channel subscriptions, which can grow, live in the object's SQLite.
 */
export interface SessionAttachment {
  conn: string;
  identity: Identity;
  since: number;
  /** Token expiry, in ms since the epoch. */
  exp: number;
}

/** One connected block, as the app object's in-memory index sees it. */
export interface Session<Socket = WebSocket> extends SessionAttachment {
  ws: Socket;
  worker: boolean;
  /** The identity stamp, serialised once, spliced into every frame this block sends. */
  fromJson: string;
  methods: Set<string>;
  channels: Set<string>;
  bucket: TokenBucket | undefined;
  /** Sent to it since it last sent anything (see slow-consumer.ts). */
  unread: number;
  /** The last auto-answered ping taken into account (see slow-consumer.ts). */
  pingSeen: number;
  /** Calls sent to this worker: each lets one `api.res` through without spending the rate limits. */
  credits: number;
}
