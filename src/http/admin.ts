import { Hono } from "hono";
import { capabilityProblem } from "../auth/capabilities";
import { mintToken } from "../auth/tokens";
import { configOf } from "../config";
import { APP_PATTERN, UID_PATTERN } from "../identity/jid";
import { isKind, KINDS } from "../identity/kinds";
import { addLiveRoutes } from "./admin-live";
import { readBoundedText } from "./bounded-body";
import { HttpError } from "./errors";

type Env_ = { Bindings: Env };

/**
 * The registry (apps, owners, grants), development tokens and stats, behind the admin key.
 * Mounted at /v1/admin.
 */
export const admin = new Hono<Env_>();

admin.use("*", async (c, next) => {
  const key = configOf(c.env).config.adminKey;
  if (!key) throw new HttpError(403, "forbidden", "admin routes are off: set NEXUS_ADMIN_KEY");
  const given = /^Bearer\s+(.+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
  if (!given) throw new HttpError(401, "unauthorized", "admin key required: Authorization: Bearer <key>");
  if (!(await sameSecret(given, key))) throw new HttpError(401, "unauthorized", "wrong admin key");
  await next();
});

/**
 * Compares two secrets in constant time, lengths included: both are hashed first, so the runtime's
 * `timingSafeEqual` always compares 32 bytes and neither the key's length nor its content leaks.
 */
async function sameSecret(given: string, key: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(key)),
  ]);
  // workerd's extension of SubtleCrypto (the DOM typings in scope do not know it).
  return (crypto.subtle as SubtleCrypto & { timingSafeEqual(a: ArrayBuffer, b: ArrayBuffer): boolean }).timingSafeEqual(a, b);
}

function appParam(app: string): string {
  if (!APP_PATTERN.test(app)) throw new HttpError(400, "bad_request", "app must match [a-z0-9][a-z0-9_-]{0,62}");
  return app;
}

function uidParam(uid: unknown): string {
  if (typeof uid !== "string" || !UID_PATTERN.test(uid))
    throw new HttpError(400, "bad_request", "uid must match [A-Za-z0-9_]{1,64}");
  return uid;
}

/** The JSON object body of an admin call; bodies are small, so one over NEXUS_MAX_ADMIN_BODY_BYTES is refused (413). */
async function body(c: { env: Env; req: { raw: Request } }): Promise<Record<string, unknown>> {
  const text = await readBoundedText(c.req.raw, configOf(c.env).config.maxAdminBodyBytes);
  if (text.trim() === "") return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new HttpError(400, "bad_request", "body must be a JSON object");
}

admin.get("/apps", async (c) => {
  const names = await c.env.DIRECTORY.getByName("directory").list();
  const apps = await Promise.all(names.map((app) => c.env.APP.getByName(app).adminGet(app)));
  return c.json({ apps });
});

admin.put("/apps/:app", async (c) => {
  const app = appParam(c.req.param("app"));
  const owner = uidParam((await body(c)).owner);
  const entry = await c.env.APP.getByName(app).adminPut(app, owner);
  await c.env.DIRECTORY.getByName("directory").touch(app);
  return c.json(entry);
});

admin.get("/apps/:app", async (c) => {
  const app = appParam(c.req.param("app"));
  const entry = await c.env.APP.getByName(app).adminGet(app);
  if (entry.owner === undefined) throw new HttpError(404, "not_found", `app "${app}" is not in the registry`);
  return c.json(entry);
});

admin.put("/apps/:app/grants/:uid", async (c) => {
  const app = appParam(c.req.param("app"));
  const uid = uidParam(c.req.param("uid"));
  const kind = (await body(c)).kind ?? "get";
  if (kind !== "get" && kind !== "purchase") throw new HttpError(400, "bad_request", 'kind must be "get" or "purchase"');
  const entry = await c.env.APP.getByName(app).adminGrant(app, uid, kind);
  if (!entry) throw new HttpError(404, "not_found", `app "${app}" is not in the registry`);
  return c.json(entry);
});

admin.delete("/apps/:app/grants/:uid", async (c) => {
  const app = appParam(c.req.param("app"));
  const uid = uidParam(c.req.param("uid"));
  const entry = await c.env.APP.getByName(app).adminRevoke(app, uid);
  if (!entry) throw new HttpError(404, "not_found", `app "${app}" is not in the registry`);
  return c.json(entry);
});

admin.post("/tokens", async (c) => {
  const config = configOf(c.env).config;
  const secret = config.jwtSecret;
  if (!secret) throw new HttpError(403, "forbidden", "token minting needs NEXUS_JWT_SECRET");
  const b = await body(c);
  const uid = uidParam(b.uid);
  if (typeof b.app !== "string" || !APP_PATTERN.test(b.app))
    throw new HttpError(400, "bad_request", "app must match [a-z0-9][a-z0-9_-]{0,62}");
  if (b.kinds !== undefined && !Array.isArray(b.kinds))
    throw new HttpError(400, "bad_request", "kinds must be an array of kind names");
  const unknownKind = (b.kinds as unknown[] | undefined)?.find((k) => typeof k !== "string" || !isKind(k));
  if (unknownKind !== undefined)
    throw new HttpError(
      400,
      "bad_request",
      `unknown kind ${JSON.stringify(unknownKind).slice(0, 40)}; kinds: ${Object.keys(KINDS).join(", ")}`,
    );
  const ttl = b.ttlSeconds ?? 86_400;
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1 || ttl > 30 * 86_400) {
    throw new HttpError(400, "bad_request", "ttlSeconds must be an integer from 1 to 2592000");
  }
  const caps: { pub?: string[]; sub?: string[] } = {};
  for (const name of ["pub", "sub"] as const) {
    if (b[name] === undefined) continue;
    const problem = capabilityProblem(b[name]);
    if (problem) throw new HttpError(400, "bad_request", `${name} ${problem}`);
    caps[name] = b[name] as string[];
  }
  const token = await mintToken({ uid, app: b.app, kinds: b.kinds as string[] | undefined, ...caps, ttlSeconds: ttl }, secret, {
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });
  return c.json({ token, expiresAt: Math.floor(Date.now() / 1000) + ttl });
});

// One app's figures and what its object holds per connection (src/app/app-state.ts), counted once
// its background work has settled: a test reads it to see that churn leaves nothing behind.
admin.get("/apps/:app/stats", async (c) => {
  const app = appParam(c.req.param("app"));
  const stub = c.env.APP.getByName(app);
  const state = await stub.adminState(app);
  return c.json({ ...(await stub.adminStats(app)), state });
});

addLiveRoutes(admin);
