import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintToken, TokenError, type TokenPolicy, TokenUnavailable, verifyToken } from "./tokens";

const SECRET = "a-test-secret-that-is-long-enough-for-hs256";
const now = () => Math.floor(Date.now() / 1000);
const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

async function hs256(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: "HS256", typ: "JWT" }) {
  const input = `${segment(header)}.${segment(payload)}`;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const signature = Buffer.from(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input))).toString("base64url");
  return `${input}.${signature}`;
}

async function refusal(token: string, policy: TokenPolicy = { secret: SECRET }): Promise<Error> {
  const err = await verifyToken(token, policy).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

const base = () => ({ sub: "u1", app: "etest", exp: now() + 60 });

describe("verifyToken with the server's secret (HS256)", () => {
  it("answers a minted token's claims", async () => {
    const token = await mintToken({ uid: "u1", app: "etest", kinds: ["webuo"], pub: ["a.*"], ttlSeconds: 60 }, SECRET);
    const claims = await verifyToken(token, { secret: SECRET });
    expect(claims).toMatchObject({ uid: "u1", app: "etest", kinds: ["webuo"], pub: ["a.*"] });
    expect(claims.exp).toBeGreaterThan(now());
  });

  it("refuses another secret's signature, a changed payload and a changed signature", async () => {
    const token = await mintToken({ uid: "u1", app: "etest", ttlSeconds: 60 }, SECRET);
    expect((await refusal(token, { secret: `${SECRET}x` })).message).toBe("token signature or claims are not valid");
    const [h, p, s] = token.split(".") as [string, string, string];
    const other = segment({ ...base(), sub: "admin" });
    expect((await refusal(`${h}.${other}.${s}`)).message).toBe("token signature or claims are not valid");
    const flipped = s.slice(0, 10) + (s[10] === "A" ? "B" : "A") + s.slice(11);
    expect((await refusal(`${h}.${p}.${flipped}`)).message).toBe("token signature or claims are not valid");
  });

  it("refuses what is not a compact JWS: too few or many segments, padding, a header that is not JSON, crit, b64", async () => {
    const token = await hs256(base());
    const [h, p, s] = token.split(".") as [string, string, string];
    for (const bad of [
      `${h}.${p}`,
      `${token}.x`,
      `${h}.${p}.${s}=`,
      `${h}.${p}.${s}+`,
      `${h}.${p}.${s}AA`,
      `.${p}.${s}`,
      `bm90IGpzb24.${p}.${s}`,
      await hs256(base(), { alg: "HS256", crit: ["exp"], exp: 1 }),
      await hs256(base(), { alg: "HS256", b64: false, crit: ["b64"] }),
    ]) {
      const err = await refusal(bad);
      expect(err, bad).toBeInstanceOf(TokenError);
      expect(err.message, bad).toBe("token is not a JWT");
    }
  });

  it("refuses alg none, an algorithm not accepted, and HS256 where no secret is configured", async () => {
    const unsigned = `${segment({ alg: "none" })}.${segment(base())}.`;
    expect((await refusal(unsigned)).message).toBe("token algorithm none is not accepted");
    expect((await refusal(await hs256(base(), { alg: "HS512" }))).message).toBe("token algorithm HS512 is not accepted");
    expect((await refusal(await hs256(base()), { jwksUrl: "http://127.0.0.1:9/jwks" })).message).toBe(
      "HS256 tokens are not accepted here",
    );
    // A signature made with the secret does not make an RS256 header acceptable where only a secret is configured.
    expect((await refusal(await hs256(base(), { alg: "RS256" }))).message).toBe("RS256 tokens need a configured JWKS");
  });

  it("requires exp as a number and gives 30 s of leeway on exp and nbf", async () => {
    const { exp: _, ...noExp } = base();
    expect((await refusal(await hs256(noExp))).message).toBe("token exp claim is missing or not accepted here");
    expect((await refusal(await hs256({ ...base(), exp: String(now() + 60) }))).message).toBe(
      "token exp claim is missing or not accepted here",
    );
    expect((await refusal(await hs256({ ...base(), exp: now() - 31 }))).message).toBe("token expired");
    await expect(verifyToken(await hs256({ ...base(), exp: now() - 20 }), { secret: SECRET })).resolves.toMatchObject({
      uid: "u1",
    });
    expect((await refusal(await hs256({ ...base(), nbf: now() + 40 }))).message).toBe("token is not valid yet (nbf)");
    expect((await refusal(await hs256({ ...base(), nbf: "soon" }))).message).toBe("token is not valid yet (nbf)");
    await expect(verifyToken(await hs256({ ...base(), nbf: now() + 20 }), { secret: SECRET })).resolves.toMatchObject({
      uid: "u1",
    });
    expect((await refusal(await hs256({ ...base(), iat: "today" }))).message).toBe("token signature or claims are not valid");
  });

  it("checks iss and aud (a string or an array) when the policy names them", async () => {
    const policy = { secret: SECRET, issuer: "https://issuer.test/", audience: "nexus" };
    const ok = { ...base(), iss: "https://issuer.test/" };
    await expect(verifyToken(await hs256({ ...ok, aud: "nexus" }), policy)).resolves.toMatchObject({ uid: "u1" });
    await expect(verifyToken(await hs256({ ...ok, aud: ["other", "nexus"] }), policy)).resolves.toMatchObject({ uid: "u1" });
    expect((await refusal(await hs256({ ...ok, aud: ["other"] }), policy)).message).toBe(
      "token aud claim is missing or not accepted here",
    );
    expect((await refusal(await hs256({ ...base(), aud: "nexus" }), policy)).message).toBe(
      "token iss claim is missing or not accepted here",
    );
  });

  it("refuses a payload that is not a JSON object, and claims Nexus cannot use", async () => {
    const input = `${segment({ alg: "HS256" })}.${Buffer.from("[1,2]").toString("base64url")}`;
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    const sig = Buffer.from(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input))).toString("base64url");
    expect((await refusal(`${input}.${sig}`)).message).toBe("token signature or claims are not valid");
    expect((await refusal(await hs256({ ...base(), sub: "a b" }))).message).toBe("token has no valid sub (uid)");
    expect((await refusal(await hs256({ ...base(), caps: { pub: "x" } }))).message).toMatch(/^token caps\.pub /);
  });
});

describe("verifyToken with the issuer's keys (RS256, ES256 from a JWKS)", () => {
  let server: Server;
  let url: string;
  let up = true;
  let keys: JWK[] = [];
  const signers: Record<string, CryptoKey> = {};

  beforeAll(async () => {
    const rsa = await generateKeyPair("RS256");
    const ec = await generateKeyPair("ES256");
    const ec2 = await generateKeyPair("ES256");
    const p384 = await generateKeyPair("ES384");
    signers.rsa = rsa.privateKey;
    signers.ec = ec.privateKey;
    signers.ec2 = ec2.privateKey;
    signers.p384 = p384.privateKey;
    keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: "rsa1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(ec.publicKey)), kid: "ec1", use: "sig" },
      // Two keys without a kid: a token with no kid may have been signed by either.
      { ...(await exportJWK(ec2.publicKey)), use: "sig" },
      { ...(await exportJWK(p384.publicKey)), kid: "p384", use: "sig" },
    ];
    server = createServer((_req, res) => {
      if (!up) return res.writeHead(502).end();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sign = (alg: string, key: CryptoKey, kid?: string) =>
    new SignJWT({ app: "etest" })
      .setProtectedHeader(kid ? { alg, kid } : { alg })
      .setSubject("u1")
      .setExpirationTime(now() + 60)
      .sign(key);

  it("accepts RS256 and ES256 tokens signed by the issuer's keys, picked by kid or tried in turn", async () => {
    for (const token of [
      await sign("RS256", signers.rsa!, "rsa1"),
      await sign("ES256", signers.ec!, "ec1"),
      await sign("ES256", signers.ec2!),
    ])
      await expect(verifyToken(token, { jwksUrl: url })).resolves.toMatchObject({ uid: "u1", app: "etest" });
  });

  it("refuses a key of another curve, a kid the issuer does not publish, and an ES256 signature of the wrong length", async () => {
    const wrongCurve = await sign("ES384", signers.p384!, "p384");
    expect((await refusal(wrongCurve, { jwksUrl: url })).message).toBe("token algorithm ES384 is not accepted");
    // An ES256 header on a P-384 key's signature: the key found by kid is not an ES256 key.
    const [, p384Payload, p384Sig] = wrongCurve.split(".") as [string, string, string];
    const relabelled = `${segment({ alg: "ES256", kid: "p384" })}.${p384Payload}.${p384Sig}`;
    expect(await refusal(relabelled, { jwksUrl: url })).toBeInstanceOf(TokenError);
    expect((await refusal(await sign("ES256", signers.ec!, "nope"), { jwksUrl: url })).message).toBe(
      "token signature or claims are not valid",
    );
    const [h, p, s] = (await sign("ES256", signers.ec!, "ec1")).split(".") as [string, string, string];
    const longer = Buffer.concat([Buffer.from(s, "base64url"), Buffer.from([0])]).toString("base64url");
    expect((await refusal(`${h}.${p}.${longer}`, { jwksUrl: url })).message).toBe("token signature or claims are not valid");
    // The RSA key's signature under an ES256 header, and an HS256-style signature under an RS256 header.
    const [, rp, rs] = (await sign("RS256", signers.rsa!, "rsa1")).split(".") as [string, string, string];
    expect(await refusal(`${segment({ alg: "ES256", kid: "rsa1" })}.${rp}.${rs}`, { jwksUrl: url })).toBeInstanceOf(TokenError);
  });

  it("answers TokenUnavailable while the key set cannot be fetched", async () => {
    up = false;
    const fresh = `${url}?down`;
    try {
      expect(await refusal(await sign("RS256", signers.rsa!, "rsa1"), { jwksUrl: fresh })).toBeInstanceOf(TokenUnavailable);
    } finally {
      up = true;
    }
  });
});
