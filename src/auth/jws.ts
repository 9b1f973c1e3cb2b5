import { Buffer } from "node:buffer";

/** A JWS's protected header, as far as Nexus reads it. */
export type JwsHeader = {
  alg: string;
  kid?: string;
};

/** A compact JWS split into its parts; nothing in it is trusted until `verifyCompact` has answered true. */
export interface CompactJws {
  header: JwsHeader;
  /** The text the signature covers: `<header>.<payload>`, as ASCII bytes. */
  signingInput: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
  /** The payload segment, still base64url. */
  payload: string;
}

/** The WebCrypto parameters of each algorithm Nexus accepts, and what its key must be. */
const ALGORITHMS: Record<string, { params: AlgorithmIdentifier | EcdsaParams; key: string }> = {
  HS256: { params: "HMAC", key: "HMAC" },
  RS256: { params: "RSASSA-PKCS1-v1_5", key: "RSASSA-PKCS1-v1_5" },
  ES256: { params: { name: "ECDSA", hash: "SHA-256" }, key: "ECDSA" },
};

/** base64url without padding, RFC 7515 §2: anything else is not a segment of a JWS. */
const SEGMENT = /^[A-Za-z0-9_-]*$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** V8's own base64 decoder, where the runtime has it (workerd does; Node 20, which runs the unit tests, does not). */
const fromBase64 = (
  Uint8Array as unknown as {
    fromBase64?: (text: string, options: { alphabet: "base64url"; lastChunkHandling: "loose" }) => Uint8Array<ArrayBuffer>;
  }
).fromBase64;

/** A segment's bytes; throws when its length is not one base64url can have. */
function bytesOf(segment: string): Uint8Array<ArrayBuffer> {
  if (fromBase64) return fromBase64(segment, { alphabet: "base64url", lastChunkHandling: "loose" });
  if (segment.length % 4 === 1) throw new SyntaxError("not base64url");
  return new Uint8Array(Buffer.from(segment, "base64url"));
}

/**
 * Headers already decoded, by their segment: every token of one issuer and key carries the same
 * header, so decoding it is a lookup after the first. Bounded: cleared when it holds more than
 * `HEADERS_KEPT` (a client sending a new header each time gains nothing but its own decode).
 */
const headers = new Map<string, JwsHeader | null>();
const HEADERS_KEPT = 64;

function headerOf(segment: string): JwsHeader | null {
  let header = headers.get(segment);
  if (header !== undefined) return header;
  header = decodeHeader(segment);
  if (headers.size >= HEADERS_KEPT) headers.clear();
  headers.set(segment, header);
  return header;
}

function decodeHeader(segment: string): JwsHeader | null {
  const value = jsonOf(segment);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const { alg, kid, crit, b64 } = value as Record<string, unknown>;
  // [RFC 7515 §4.1.11] a `crit` extension this verifier does not know must be refused; Nexus knows none,
  // and `b64` (RFC 7797, unencoded payloads) would change what the signature covers.
  if (typeof alg !== "string" || crit !== undefined || b64 !== undefined) return null;
  if (kid !== undefined && typeof kid !== "string") return null;
  return kid === undefined ? { alg } : { alg, kid };
}

/** A base64url JSON segment's value; undefined when it is not one. */
export function jsonOf(segment: string): unknown {
  if (!SEGMENT.test(segment)) return undefined;
  try {
    return JSON.parse(decoder.decode(bytesOf(segment)));
  } catch {
    return undefined;
  }
}

/**
 * Splits a compact JWS (RFC 7515 §7.1) and decodes its header: null when the text is not one (not
 * three base64url segments, or a header that is not a JSON object with a string `alg`, or one with
 * `crit` or `b64`).
 *
 * @example
 * ```ts
 * const jws = parseCompact(token);
 * if (jws?.header.alg === "HS256" && (await verifyCompact(jws, key))) use(jsonOf(jws.payload));
 * ```
 */
export function parseCompact(token: string): CompactJws | null {
  const first = token.indexOf(".");
  const second = token.indexOf(".", first + 1);
  if (first <= 0 || second < 0 || token.indexOf(".", second + 1) >= 0) return null;
  const signature = token.slice(second + 1);
  if (!SEGMENT.test(signature)) return null;
  const header = headerOf(token.slice(0, first));
  if (!header) return null;
  try {
    return {
      header,
      signingInput: encoder.encode(token.slice(0, second)),
      signature: bytesOf(signature),
      payload: token.slice(first + 1, second),
    };
  } catch {
    return null;
  }
}

/**
 * Checks a parsed JWS's signature with WebCrypto, against a key of its header's algorithm (HS256,
 * RS256 or ES256): false for a wrong signature, a key of another algorithm or hash, or an algorithm
 * not listed.
 */
export async function verifyCompact(jws: CompactJws, key: CryptoKey): Promise<boolean> {
  const alg = ALGORITHMS[jws.header.alg];
  if (!alg || key.algorithm.name !== alg.key || !key.usages.includes("verify")) return false;
  // Every accepted algorithm hashes with SHA-256 (ES256 by its curve): a key made for another is not this algorithm's.
  const { hash, namedCurve } = key.algorithm as { hash?: { name: string }; namedCurve?: string };
  if (alg.key === "ECDSA" ? namedCurve !== "P-256" : hash?.name !== "SHA-256") return false;
  return crypto.subtle.verify(alg.params, key, jws.signature, jws.signingInput);
}
