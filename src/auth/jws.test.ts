import { generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { jsonOf, parseCompact, verifyCompact } from "./jws";

const secret = new TextEncoder().encode("a-test-secret-that-is-long-enough-for-hs256");
const hmac = (hash: string) => crypto.subtle.importKey("raw", secret, { name: "HMAC", hash }, false, ["verify"]);
const token = (alg: string, key: CryptoKey | Uint8Array) => new SignJWT({ app: "etest" }).setProtectedHeader({ alg }).sign(key);

describe("parseCompact and verifyCompact", () => {
  it("split a compact JWS and verify it with a key of its algorithm", async () => {
    const jws = parseCompact(await token("HS256", secret));
    expect(jws?.header).toEqual({ alg: "HS256" });
    expect(jsonOf(jws!.payload)).toEqual({ app: "etest" });
    expect(await verifyCompact(jws!, await hmac("SHA-256"))).toBe(true);
  });

  it("refuse a key of the right kind made for another hash or curve, or of another kind", async () => {
    // Each signature below is valid for its key: only the check of the key's algorithm refuses it.
    const signed = async (alg: string, params: AlgorithmIdentifier | EcdsaParams, key: CryptoKey) => {
      const input = `${Buffer.from(JSON.stringify({ alg })).toString("base64url")}.e30`;
      const signature = await crypto.subtle.sign(params, key, new TextEncoder().encode(input));
      return parseCompact(`${input}.${Buffer.from(signature).toString("base64url")}`)!;
    };
    const sha512 = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-512" }, false, ["sign", "verify"]);
    expect(await verifyCompact(await signed("HS256", "HMAC", sha512), sha512)).toBe(false);
    const p384 = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const onP384 = await signed("ES256", { name: "ECDSA", hash: "SHA-256" }, p384.privateKey);
    expect(await verifyCompact(onP384, p384.publicKey)).toBe(false);
    const p256 = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    expect(
      await verifyCompact(
        { ...onP384, ...(await signed("ES256", { name: "ECDSA", hash: "SHA-256" }, p256.privateKey)) },
        p256.publicKey,
      ),
    ).toBe(true);
    const rsa = await generateKeyPair("RS256");
    const rs = parseCompact(await token("RS256", rsa.privateKey))!;
    expect(await verifyCompact(rs, rsa.publicKey)).toBe(true);
    expect(await verifyCompact({ ...rs, header: { alg: "PS256" } }, rsa.publicKey)).toBe(false);
    // An RSA key under an HS256 header: not an HMAC key, whatever its hash.
    expect(await verifyCompact({ ...rs, header: { alg: "HS256" } }, rsa.publicKey)).toBe(false);
  });

  it("keep a bounded number of decoded headers", async () => {
    // Many distinct headers (each a new kid) parse alike: the cache is cleared, not grown.
    for (let i = 0; i < 200; i++) {
      const jws = parseCompact(`${Buffer.from(JSON.stringify({ alg: "HS256", kid: `k${i}` })).toString("base64url")}.e30.c2ln`);
      expect(jws?.header).toEqual({ alg: "HS256", kid: `k${i}` });
    }
  });
});
