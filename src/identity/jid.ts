import type { Identity } from "../protocol/frames";
import { parseResource } from "./kinds";

export const APP_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const UID_PATTERN = /^[A-Za-z0-9_]{1,64}$/;
export const ROLES = ["owner", "user"] as const;
export type Role = (typeof ROLES)[number];

/**
 * Formats `<app>-<uid>-<role>@<domain>/<resource>`.
 *
 * @example
 * ```ts
 * formatJid({ app: "etest", uid: "682e", role: "owner", resource: "default7Hx" }, "qepal.com");
 * // "etest-682e-owner@qepal.com/default7Hx"
 * ```
 */
export function formatJid(parts: { app: string; uid: string; role: Role; resource: string }, domain: string): string {
  return `${parts.app}-${parts.uid}-${parts.role}@${domain}/${parts.resource}`;
}

/**
 * Parses a JID from the right, since `app` may hold `-` but `uid` and `role` never do.
 * Returns undefined for anything that is not a well-formed JID.
 *
 * @example
 * ```ts
 * parseJid("my-app-682e-user@qepal.com/webuo1");
 * // { app: "my-app", uid: "682e", role: "user", domain: "qepal.com", resource: "webuo1", kind: "webuo" }
 * ```
 */
export function parseJid(jid: string): (Omit<Identity, "jid"> & { domain: string }) | undefined {
  const at = jid.indexOf("@");
  const slash = jid.indexOf("/", at + 1);
  if (at < 0 || slash < 0) return undefined;
  const local = jid.slice(0, at);
  const domain = jid.slice(at + 1, slash);
  const resource = jid.slice(slash + 1);
  const roleDash = local.lastIndexOf("-");
  const uidDash = local.lastIndexOf("-", roleDash - 1);
  if (roleDash < 0 || uidDash < 0) return undefined;
  const app = local.slice(0, uidDash);
  const uid = local.slice(uidDash + 1, roleDash);
  const role = local.slice(roleDash + 1);
  const parsed = parseResource(resource);
  if (!APP_PATTERN.test(app) || !UID_PATTERN.test(uid) || !isRole(role) || !parsed || domain.length === 0) {
    return undefined;
  }
  return { app, uid, role, domain, resource, kind: parsed.kind };
}

function isRole(value: string): value is Role {
  return value === "owner" || value === "user";
}

/** Builds the full identity stamp of a block. */
export function makeIdentity(
  parts: { app: string; uid: string; role: Role; resource: string; kind: string },
  domain: string,
): Identity {
  return {
    jid: formatJid(parts, domain),
    app: parts.app,
    uid: parts.uid,
    role: parts.role,
    resource: parts.resource,
    kind: parts.kind,
  };
}
