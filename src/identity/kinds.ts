/** Resource kinds and whether blocks of that kind receive `api.req` and `direct` (workers). */
export const KINDS = {
  uservice: { worker: true, what: "published Admin Panel backend" },
  udevelopment: { worker: true, what: "development Admin Panel backend" },
  xservice: { worker: true, what: "published XWebsite backend" },
  xdefault: { worker: true, what: "published XWebsite backend, default variant" },
  xdevelopment: { worker: true, what: "development XWebsite backend" },
  default: { worker: true, what: "Node.js worker" },
  pydefault: { worker: true, what: "Python worker" },
  godefault: { worker: true, what: "Go worker" },
  device: { worker: true, what: "hardware block, connected through the MQTT bridge" },
  webuo: { worker: false, what: "Admin Panel frontend" },
  webxo: { worker: false, what: "XWebsite frontend" },
} as const;

export type Kind = keyof typeof KINDS;

// The contract says the longest matching prefix wins; sorting longest first makes the first match the longest.
const BY_LENGTH = (Object.keys(KINDS) as Kind[]).sort((a, b) => b.length - a.length);

const SUFFIX = /^[A-Za-z0-9]{0,32}$/;

/** True when `name` is one of the kinds. */
export function isKind(name: string): name is Kind {
  return Object.hasOwn(KINDS, name);
}

/** True when blocks of this kind receive `api.req` and `direct`. */
export function isWorkerKind(kind: string): boolean {
  return isKind(kind) && KINDS[kind].worker;
}

/**
 * Splits a resource into kind and suffix; the longest matching kind prefix wins.
 *
 * @example
 * ```ts
 * parseResource("xdefault7Hx"); // { kind: "xdefault", suffix: "7Hx" }
 * parseResource("nope");        // undefined
 * ```
 */
export function parseResource(resource: string): { kind: Kind; suffix: string } | undefined {
  for (const kind of BY_LENGTH) {
    if (resource.startsWith(kind)) {
      const suffix = resource.slice(kind.length);
      return SUFFIX.test(suffix) ? { kind, suffix } : undefined;
    }
  }
  return undefined;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Random bytes drawn 1 KiB at a time: one call into the runtime's CSPRNG per ~50 connects, not two per connect. */
const pool = { bytes: new Uint8Array(1024), used: 1024 };

/** A random suffix of [A-Za-z0-9], 8 characters unless told otherwise. */
export function randomSuffix(length = 8): string {
  let out = "";
  for (let i = 0; i < length; i++) {
    // Filled on first use, not at load: workerd allows randomness only inside a request.
    if (pool.used === pool.bytes.length) {
      crypto.getRandomValues(pool.bytes);
      pool.used = 0;
    }
    // 256 % 62 leaves a small bias; irrelevant for a uniqueness suffix, which is checked anyway.
    out += ALPHABET[(pool.bytes[pool.used++] as number) % ALPHABET.length];
  }
  return out;
}
