import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/stack";
import { openBlock, UpgradeRefused } from "../support/ws-client";

async function refusal(url: string, headers?: Record<string, string>): Promise<UpgradeRefused> {
  const err = await openBlock(url, headers).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpgradeRefused);
  return err as UpgradeRefused;
}

async function hs256(secret: string, claims: Record<string, unknown>, expSeconds: number): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds)
    .sign(new TextEncoder().encode(secret));
}

describe("connect: tokens, resources, identity", () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
    await s.createApp("etest", "owner1");
  });
  afterAll(() => s?.stop());

  it("answers /healthz", async () => {
    const res = await fetch(`${s.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("welcomes a block with its JID, identity and limits once it is reachable", async () => {
    const b = await openBlock(s.connectUrlFor(await s.token({ uid: "owner1", app: "etest" }), { resource: "default7Hx" }));
    expect(b.welcome).toEqual({
      t: "welcome",
      v: 1,
      jid: "etest-owner1-owner@qepal.com/default7Hx",
      from: {
        jid: "etest-owner1-owner@qepal.com/default7Hx",
        app: "etest",
        uid: "owner1",
        role: "owner",
        resource: "default7Hx",
        kind: "default",
      },
      limits: {
        maxFrameBytes: 262144,
        apiTimeoutMs: 30000,
        maxSubscriptions: 1000,
        maxPendingCalls: 1000,
        maxServedMethods: 256,
        maxBlocksPerUser: 100,
        pingIntervalMs: 20000,
      },
    });
    await b.close();
  });

  it("adds an 8-character suffix for ?kind= and computes the user role", async () => {
    const b = await openBlock(s.connectUrlFor(await s.token({ uid: "someone", app: "etest" }), { kind: "webuo" }));
    expect(b.welcome.from).toMatchObject({ role: "user", kind: "webuo" });
    expect(b.welcome.from.resource).toMatch(/^webuo[A-Za-z0-9]{8}$/);
    expect(b.jid).toBe(`etest-someone-user@qepal.com/${b.welcome.from.resource}`);
    await b.close();
  });

  it("takes the token from the Authorization header too", async () => {
    const token = await s.token({ uid: "owner1", app: "etest" });
    const b = await openBlock(`${s.connectUrlFor("x", { kind: "webxo" }).replace("token=x&", "")}`, {
      authorization: `Bearer ${token}`,
    });
    expect(b.welcome.from.uid).toBe("owner1");
    await b.close();
  });

  it("refuses before the upgrade with 401, 400 and 403 and a JSON error body", async () => {
    const token = await s.token({ uid: "u1", app: "etest", kinds: ["webuo"] });
    const missing = await refusal(`${s.connectUrl}?kind=webuo`);
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe("unauthorized");
    const forged = await refusal(
      s.connectUrlFor(await hs256("not-the-secret", { sub: "u1", app: "etest" }, 60), { kind: "webuo" }),
    );
    expect(forged.status).toBe(401);
    const expired = await refusal(s.connectUrlFor(await hs256(s.jwtSecret, { sub: "u1", app: "etest" }, -60), { kind: "webuo" }));
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toContain("expired");
    const noApp = await refusal(s.connectUrlFor(await hs256(s.jwtSecret, { sub: "u1" }, 60), { kind: "webuo" }));
    expect(noApp.status).toBe(401);
    expect((await refusal(s.connectUrlFor(token, { kind: "printer" }))).status).toBe(400);
    expect((await refusal(s.connectUrlFor(token, { resource: "webuo-1" }))).status).toBe(400);
    expect((await refusal(`${s.connectUrl}?token=${token}`)).status).toBe(400);
    const wrongKind = await refusal(s.connectUrlFor(token, { kind: "default" }));
    expect(wrongKind.status).toBe(403);
    expect(wrongKind.body.error.code).toBe("forbidden");
  });

  it("explains a refusal to a plain GET too (browsers cannot read a refused upgrade)", async () => {
    const token = await s.token({ uid: "u1", app: "etest", kinds: ["webuo"] });
    const bad = await fetch(s.connectUrlFor("garbage", { kind: "webuo" }).replace("ws:", "http:"));
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { code: "unauthorized" } });
    const wrongKind = await fetch(s.connectUrlFor(token, { kind: "default" }).replace("ws:", "http:"));
    expect(wrongKind.status).toBe(403);
    const fine = await fetch(s.connectUrlFor(token, { kind: "webuo" }).replace("ws:", "http:"));
    expect(fine.status).toBe(426);
  });

  it("replaces a duplicate JID: the old socket is closed with 4009", async () => {
    const token = await s.token({ uid: "owner1", app: "etest" });
    const first = await openBlock(s.connectUrlFor(token, { resource: "default1" }));
    const second = await openBlock(s.connectUrlFor(token, { resource: "default1" }));
    expect((await first.closed).code).toBe(4009);
    // The replaced block was its uid's only one: the uid must still be present for Find, with the new block.
    const found = await second.request({ t: "find", id: "f" });
    expect(found.blocks.map((b: { jid: string }) => b.jid)).toEqual([second.jid]);
    await second.close();
  });

  it("answers the exact ping with pong", async () => {
    const b = await openBlock(s.connectUrlFor(await s.token({ uid: "u2", app: "etest" }), { kind: "webuo" }));
    b.send('{"t":"ping"}');
    expect(await b.next()).toEqual({ t: "pong" });
    await b.close();
  });

  it("closes a socket with 4001 when its token expires", async () => {
    const b = await openBlock(s.connectUrlFor(await s.token({ uid: "u3", app: "etest", ttlSeconds: 2 }), { kind: "webuo" }));
    expect((await b.closed).code).toBe(4001);
  });
});

describe("connect: tokens from the platform's issuer (JWKS)", () => {
  let s: TestStack;
  let issuer: Server;
  let rsa: CryptoKey;
  let ec: CryptoKey;
  let stranger: CryptoKey;

  beforeAll(async () => {
    const rsaPair = await generateKeyPair("RS256");
    const ecPair = await generateKeyPair("ES256");
    rsa = rsaPair.privateKey;
    ec = ecPair.privateKey;
    stranger = (await generateKeyPair("RS256")).privateKey;
    const keys = [
      { ...(await exportJWK(rsaPair.publicKey)), kid: "rsa1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(ecPair.publicKey)), kid: "ec1", alg: "ES256", use: "sig" },
    ];
    // The issuer is the one thing outside Nexus, so it is the one thing these tests stand in for.
    issuer = createServer((_req, res) => res.setHeader("content-type", "application/json").end(JSON.stringify({ keys })));
    await new Promise<void>((resolve) => issuer.listen(0, "127.0.0.1", resolve));
    const { port } = issuer.address() as AddressInfo;
    s = await startStack({ vars: { NEXUS_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` } });
  });
  afterAll(async () => {
    await s?.stop();
    await new Promise((resolve) => issuer?.close(resolve));
  });

  const sign = (key: CryptoKey, alg: string, kid: string) =>
    new SignJWT({ app: "iss" })
      .setProtectedHeader({ alg, kid })
      .setSubject("682ebf741c055d80a4f15f8b")
      .setExpirationTime("5m")
      .sign(key);

  it("accepts RS256 and ES256 tokens signed by the issuer's keys", async () => {
    for (const [key, alg, kid] of [
      [rsa, "RS256", "rsa1"],
      [ec, "ES256", "ec1"],
    ] as const) {
      const b = await openBlock(s.connectUrlFor(await sign(key, alg, kid), { kind: "default" }));
      expect(b.welcome.from).toMatchObject({ app: "iss", uid: "682ebf741c055d80a4f15f8b" });
      await b.close();
    }
  });

  it("refuses a token signed by a key the issuer does not publish", async () => {
    const err = await refusal(s.connectUrlFor(await sign(stranger, "RS256", "rsa1"), { kind: "default" }));
    expect(err.status).toBe(401);
  });
});
