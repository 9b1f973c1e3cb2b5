import { readFileSync } from "node:fs";
import type { Role } from "../../../src/identity/jid";
import { ERROR_TABLE } from "../errors";
import type { Frame } from "./fake-edge";

// The shared conformance vectors (test/vectors/README.md), loaded once for the SDK's vector tests.
const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../../test/vectors/${name}`, import.meta.url), "utf8")) as T;

export interface JidVector {
  jid: string;
  app: string;
  uid: string;
  role: Role;
  domain: string;
  resource: string;
  kind: string;
}
export interface ClientVector {
  name: string;
  op: string;
  args: Record<string, any>;
  frame: Frame;
  text?: string;
}
export interface ServerVector {
  name: string;
  frame: Frame;
  expect: Record<string, any>;
}
export interface ErrorVectors {
  codes: { code: string; retryable: boolean }[];
  unknownCode: { code: string; retryable: boolean };
  closes: { code: number; reconnect: boolean | "with_new_token"; error?: string }[];
  connectRefusals: { status: number; body: string; code: string; retryable: boolean; quota?: string }[];
}

export const jids = load<{ valid: JidVector[]; invalid: string[] }>("jids.json");
export const resources = load<{ resource: string; kind: string | null; suffix?: string }[]>("resources.json");
export const clientFrames = load<ClientVector[]>("client-frames.json");
export const serverFrames = load<ServerVector[]>("server-frames.json");
export const errors = load<ErrorVectors>("errors.json");

/**
 * A code's retryable flag as this SDK reports it; the table decides only for codes it has.
 *
 * @example
 * ```ts
 * if (knownCode(e.code)) expect(err.retryable).toBe(e.retryable);
 * ```
 */
export const knownCode = (code: string) => Object.hasOwn(ERROR_TABLE, code);
