/** Where one churning connection lives: its app, uid, kind and channel. */
export interface SlotPlace {
  app: string;
  uid: string;
  kind: "default" | "webuo";
  /** The channel it subscribes to and publishes on. */
  channel: string;
}

/** The churn's apps and who owns them. */
export interface ChurnApp {
  app: string;
  owner: string;
}

/**
 * How many connections share one app. Chosen to stay inside the edge's default limits with room to
 * spare (docs/security.md, "Limits"): a quarter are the owner's workers, so 50 of the owner's
 * blocks (`maxBlocksPerUser` 100, with room for a reconnect overlapping its old socket); the rest
 * are frontends of uids holding at most 6 blocks each; every app's frames stay far below its 5,000/s.
 */
export const SLOTS_PER_APP = 200;
const FRONTENDS_PER_UID = 6;
const CHANNELS_PER_APP = 8;

/**
 * The apps a churn of `connections` connections needs.
 *
 * @example
 * ```ts
 * churnApps(1000); // 5 apps: soak-c0 ... soak-c4, owned by soakowner0 ... soakowner4
 * ```
 */
export function churnApps(connections: number): ChurnApp[] {
  const count = Math.max(1, Math.ceil(connections / SLOTS_PER_APP));
  return Array.from({ length: count }, (_, i) => ({ app: `soak-c${i}`, owner: `soakowner${i}` }));
}

/**
 * Where slot `slot` of `connections` lives: slots are dealt over the apps in turn; in each app every
 * fourth is a worker of the owner (kind `default`, it serves `echo`), the others frontends (`webuo`)
 * of ordinary users; each is on one of the app's 8 channels.
 *
 * @example
 * ```ts
 * slotPlace(0, 1000); // { app: "soak-c0", uid: "soakowner0", kind: "default", channel: "soak-c0/ch0" }
 * ```
 */
export function slotPlace(slot: number, connections: number): SlotPlace {
  const apps = churnApps(connections);
  const a = slot % apps.length;
  const j = Math.floor(slot / apps.length);
  const { app, owner } = apps[a]!;
  const channel = `${app}/ch${j % CHANNELS_PER_APP}`;
  if (j % 4 === 0) return { app, uid: owner, kind: "default", channel };
  const frontend = j - Math.floor(j / 4) - 1;
  return { app, uid: `soaku${a}x${Math.floor(frontend / FRONTENDS_PER_UID)}`, kind: "webuo", channel };
}
