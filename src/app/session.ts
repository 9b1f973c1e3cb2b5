import type { ChannelCapability } from "../auth/capabilities";
import type { Identity } from "../protocol/frames";
import type { TokenBucket } from "./rate-limit";

/**
 * What survives hibernation on the socket itself (kept small: the runtime caps attachments at 2 KiB).
 * Serve declarations, channel subscriptions and capabilities, which can grow, live in the object's SQLite.
 */
export interface SessionAttachment {
  conn: string;
  identity: Identity;
  since: number;
  /** Token expiry, in ms since the epoch. */
  exp: number;
  /** A worker's last frame as last saved (at most half a ping interval old when saved; see keepalive.ts). */
  heard?: number;
}

/** The channel capabilities of a block's token; undefined allows every channel. */
export interface SessionCaps {
  pub?: ChannelCapability;
  sub?: ChannelCapability;
}

/** One connected block, as the app object's in-memory index sees it. */
export interface Session<Socket = WebSocket> extends SessionAttachment {
  ws: Socket;
  worker: boolean;
  /** The identity stamp, serialised once, spliced into every frame this block sends. */
  fromJson: string;
  methods: Set<string>;
  channels: Set<string>;
  caps: SessionCaps;
  bucket: TokenBucket | undefined;
  /** Sent to it since it last sent anything (see slow-consumer.ts). */
  unread: number;
  /** The last auto-answered ping taken into account (see slow-consumer.ts). */
  pingSeen: number;
  /** Calls sent to this worker: each lets one `api.res` through without spending the rate limits. */
  credits: number;
  /** When this block's last frame arrived (or an upper bound of it, after a wake). */
  heardAt: number;
}

/**
 * The attachment that a session keeps on its socket.
 *
 * @example
 * ```ts
 * session.ws.serializeAttachment(attachmentOf(session));
 * ```
 */
export function attachmentOf(s: SessionAttachment): SessionAttachment {
  const att: SessionAttachment = { conn: s.conn, identity: s.identity, since: s.since, exp: s.exp };
  if (s.heard !== undefined) att.heard = s.heard;
  return att;
}
