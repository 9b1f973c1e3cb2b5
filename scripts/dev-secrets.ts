import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The admin key and the JWT secret a local stack runs with, and where each came from. */
export interface DevSecrets {
  adminKey: string;
  jwtSecret: string;
  /** The file that keeps the development values. */
  file: string;
  adminKeyFrom: "environment" | "file";
  jwtSecretFrom: "environment" | "file";
}

/** The smallest HS256 secret the edge accepts (the contract's token policy). */
export const MIN_JWT_SECRET_BYTES = 32;

/**
 * The development admin key and JWT secret: made once and kept in `<dataDir>/dev-secrets.json`, so
 * a restart on the same data directory keeps every token valid. A value from the environment always
 * wins (and is not written to the file).
 *
 * @example
 * ```ts
 * const s = loadDevSecrets(".nexus/data", { adminKey: process.env.NEXUS_ADMIN_KEY });
 * ```
 */
export function loadDevSecrets(dataDir: string, fromEnv: { adminKey?: string; jwtSecret?: string }): DevSecrets {
  const file = join(dataDir, "dev-secrets.json");
  if (fromEnv.adminKey && fromEnv.jwtSecret) {
    return {
      adminKey: fromEnv.adminKey,
      jwtSecret: fromEnv.jwtSecret,
      file,
      adminKeyFrom: "environment",
      jwtSecretFrom: "environment",
    };
  }
  let kept: { adminKey?: unknown; jwtSecret?: unknown } = {};
  if (existsSync(file)) kept = JSON.parse(readFileSync(file, "utf8")) as typeof kept;
  const adminKey = typeof kept.adminKey === "string" ? kept.adminKey : `dev-admin-${randomBytes(16).toString("hex")}`;
  const jwtSecret =
    typeof kept.jwtSecret === "string" && Buffer.byteLength(kept.jwtSecret) >= MIN_JWT_SECRET_BYTES
      ? kept.jwtSecret
      : `dev-secret-${randomBytes(32).toString("hex")}`;
  if (kept.adminKey !== adminKey || kept.jwtSecret !== jwtSecret) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify({ adminKey, jwtSecret }, null, 2)}\n`, { mode: 0o600 });
  }
  return {
    adminKey: fromEnv.adminKey || adminKey,
    jwtSecret: fromEnv.jwtSecret || jwtSecret,
    file,
    adminKeyFrom: fromEnv.adminKey ? "environment" : "file",
    jwtSecretFrom: fromEnv.jwtSecret ? "environment" : "file",
  };
}
