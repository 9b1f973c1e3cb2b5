import type { Hono } from "hono";
import type { LocalChannel } from "../app/admin-views";
import type { TrafficSecond } from "../app/traffic-stats";
import { APP_PATTERN } from "../identity/jid";
import { HttpError } from "./errors";
import { mergeTraffic } from "./stats-series";

type Env_ = { Bindings: Env };

/** What the Channels browser shows of one channel. */
interface ChannelView {
  channel: string;
  /** Subscribed blocks, over every app. */
  subscribers: number;
  /** The apps with subscribers, and how many each has. */
  apps: { app: string; subscribers: number }[];
  seq: number;
  /** The retained value, or null: its data, sender and seq. */
  retained: { data: string; from: unknown; seq: number } | null;
}

/** At most this many channels are looked up per request (the busiest first). */
const MAX_CHANNELS = 200;

function parseRetained(frame: string | null): ChannelView["retained"] {
  if (frame === null) return null;
  try {
    const m = JSON.parse(frame) as { data: string; from: unknown; seq: number };
    return { data: m.data, from: m.from, seq: m.seq };
  } catch {
    return null;
  }
}

/**
 * The console's live views, on the admin router (behind its key): traffic over the last minutes
 * (`GET /stats`), the channels with subscribers (`GET /channels`) and an app's blocks with what
 * each serves and listens to (`GET /apps/:app/blocks`).
 *
 * @example
 * ```ts
 * addLiveRoutes(admin);
 * ```
 */
export function addLiveRoutes(admin: Hono<Env_>): void {
  admin.get("/stats", async (c) => {
    const names = await c.env.DIRECTORY.getByName("directory").list();
    const stats = await Promise.all(names.map((app) => c.env.APP.getByName(app).adminStats(app)));
    const now = Date.now();
    const totals = { connections: 0, messagesIn: 0, messagesPerSec: 0 };
    for (const a of stats) {
      totals.connections += a.connections;
      totals.messagesIn += a.messagesIn;
      totals.messagesPerSec += a.messagesPerSec;
    }
    const apps = stats.map(({ traffic: _, ...a }) => a);
    return c.json({
      at: now,
      totals,
      apps,
      // RPC results lose tuple types on the way; the values are TrafficSecond[] as sent.
      series: mergeTraffic(
        stats.map((a) => (a.traffic ?? []) as unknown as TrafficSecond[]),
        now,
      ),
    });
  });

  admin.get("/channels", async (c) => {
    const names = await c.env.DIRECTORY.getByName("directory").list();
    const perApp = await Promise.all(
      names.map(async (app) => ({ app, channels: (await c.env.APP.getByName(app).adminChannels(app)) as LocalChannel[] })),
    );
    const byChannel = new Map<string, { app: string; subscribers: number }[]>();
    for (const { app, channels } of perApp) {
      for (const ch of channels) {
        const apps = byChannel.get(ch.channel) ?? [];
        apps.push({ app, subscribers: ch.subscribers });
        byChannel.set(ch.channel, apps);
      }
    }
    const total = (apps: { subscribers: number }[]) => apps.reduce((n, a) => n + a.subscribers, 0);
    const busiest = [...byChannel].sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0])).slice(0, MAX_CHANNELS);
    const channels: ChannelView[] = await Promise.all(
      busiest.map(async ([channel, apps]) => {
        const peek = await c.env.CHANNEL.getByName(channel).adminPeek(channel);
        return { channel, subscribers: total(apps), apps, seq: peek.seq, retained: parseRetained(peek.retained) };
      }),
    );
    channels.sort((a, b) => a.channel.localeCompare(b.channel));
    return c.json({ at: Date.now(), channels, truncated: byChannel.size > MAX_CHANNELS });
  });

  admin.get("/apps/:app/blocks", async (c) => {
    const app = c.req.param("app");
    if (!APP_PATTERN.test(app)) throw new HttpError(400, "bad_request", "app must match [a-z0-9][a-z0-9_-]{0,62}");
    const blocks = await c.env.APP.getByName(app).adminBlocks(app);
    return c.json({ app, blocks });
  });
}
