import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "@qe/nexus-sdk";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack } from "../../scripts/local-stack";
import { startStack, type TestStack } from "../support/stack";
import { openBlock, UpgradeRefused } from "../support/ws-client";

const ISSUER = "https://issuer.test/";
const AUDIENCE = "nexus";
const now = () => Math.floor(Date.now() / 1000);

async function refusal(url: string): Promise<UpgradeRefused> {
  const err = await openBlock(url).then(
    (b) => {
      b.ws.terminate();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpgradeRefused);
  return err as UpgradeRefused;
}

/** A base64url JSON segment. */
const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("the token policy over the wire", () => {
  let s: TestStack;
  let issuer: Server;
  let jwksUp = false;
  let rsa: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    rsa = pair.privateKey;
    const keys = [{ ...(await exportJWK(pair.publicKey)), kid: "rsa1", alg: "RS256", use: "sig" }];
    // The issuer's key server, down until a test brings it up (the outage under test).
    issuer = createServer((_req, res) => {
      if (!jwksUp) res.writeHead(502).end("bad gateway");
      else res.setHeader("content-type", "application/json").end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => issuer.listen(0, "127.0.0.1", resolve));
    const { port } = issuer.address() as AddressInfo;
    s = await startStack({
      vars: {
        NEXUS_JWT_ISSUER: ISSUER,
        NEXUS_JWT_AUDIENCE: AUDIENCE,
        NEXUS_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      },
    });
    await s.createApp("pol", "owner1");
  });
  afterAll(async () => {
    await s?.stop();
    await new Promise((resolve) => issuer?.close(resolve));
  });

  /** An HS256 token with the server's secret; `claims` override the valid defaults (undefined removes one). */
  const hs256 = (claims: Record<string, unknown> = {}, secret = s.jwtSecret) => {
    const payload: Record<string, unknown> = { sub: "u1", app: "pol", exp: now() + 300, iss: ISSUER, aud: AUDIENCE, ...claims };
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
    return new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));
  };
  const url = (token: string) => s.connectUrlFor(token, { kind: "webuo" });
  const accepted = async (token: string) => {
    const b = await openBlock(url(token));
    expect(b.welcome.from.uid).toBe("u1");
    await b.close();
  };

  it("accepts a valid token, and the admin route's tokens carry the configured iss and aud", async () => {
    await accepted(await hs256());
    await accepted(await s.token({ uid: "u1", app: "pol" }));
  });

  it("refuses alg:none, a wrong secret and a missing exp with 401", async () => {
    const none = `${segment({ alg: "none", typ: "JWT" })}.${segment({ sub: "u1", app: "pol", exp: now() + 300, iss: ISSUER, aud: AUDIENCE })}.`;
    for (const token of [none, await hs256({}, "another-secret-of-at-least-32-bytes!!"), await hs256({ exp: undefined })]) {
      const r = await refusal(url(token));
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe("unauthorized");
    }
  });

  it("gives 30 s of leeway on exp and nbf, both ways", async () => {
    await accepted(await hs256({ exp: now() - 10 }));
    const expired = await refusal(url(await hs256({ exp: now() - 60 })));
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);
    await accepted(await hs256({ nbf: now() + 10 }));
    const early = await refusal(url(await hs256({ nbf: now() + 120 })));
    expect(early.status).toBe(401);
    expect(early.body.error.message).toMatch(/not valid yet/);
  });

  it("checks iss and aud against the configuration", async () => {
    for (const claims of [{ iss: undefined }, { iss: "https://someone-else/" }, { aud: undefined }, { aud: "other" }]) {
      const r = await refusal(url(await hs256(claims)));
      expect(r.status).toBe(401);
      expect(r.body.error.message).toMatch(/iss|aud/);
    }
    await accepted(await hs256({ aud: ["other", AUDIENCE] }));
  });

  it("answers 503 unavailable while the JWKS cannot be fetched, and the SDK connects once it can", async () => {
    const token = await new SignJWT({ app: "pol" })
      .setProtectedHeader({ alg: "RS256", kid: "rsa1" })
      .setSubject("u1")
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(rsa);
    const outage = await refusal(url(token));
    expect(outage.status).toBe(503);
    expect(outage.body.error.code).toBe("unavailable");

    let attempts = 0;
    const client = connect({
      url: s.httpUrl,
      kind: "default",
      token: () => {
        // The key server comes back after the SDK has been refused twice.
        if (++attempts === 3) jwksUp = true;
        return token;
      },
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
    });
    const nx = await client;
    expect(nx.state).toBe("connected");
    expect(attempts).toBeGreaterThanOrEqual(3);
    await nx.close();
  });

  it("tells a missing admin key from a wrong one", async () => {
    const missing = await fetch(`${s.httpUrl}/v1/admin/apps/pol`);
    const wrong = await fetch(`${s.httpUrl}/v1/admin/apps/pol`, { headers: { authorization: "Bearer not-the-key" } });
    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(((await missing.json()) as any).error.message).toMatch(/required/);
    expect(((await wrong.json()) as any).error.message).toMatch(/wrong admin key/);
  });
});

describe("the HS256 secret", () => {
  it("must be at least 32 bytes: the stack refuses to start with a shorter one", async () => {
    await expect(startLocalStack({ jwtSecret: "abc", mqttPort: 0 })).rejects.toThrow(/at least 32/);
  });
});
