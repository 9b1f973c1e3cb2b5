import { afterEach, describe, expect, it } from "vitest";
import { connect, type NexusClient } from "./client";
import { FakeEdge } from "./testing/fake-edge";

let edge: FakeEdge | undefined;
let nx: NexusClient | undefined;

afterEach(async () => {
  await nx?.close();
  await edge?.stop();
});

describe("tokenIn: header (Node.js)", () => {
  it("sends the token as Authorization: Bearer and keeps it out of the URL", async () => {
    edge = await FakeEdge.start();
    nx = await connect({ url: edge.url, token: "secret-token", resource: "device01", tokenIn: "header", keepalive: false });
    const conn = await edge.nextConnection();
    expect(conn.headers.authorization).toBe("Bearer secret-token");
    expect(conn.query.get("token")).toBeNull();
    expect(conn.query.get("resource")).toBe("device01");
  });

  it("reads the refusal of a header token from the upgrade's response", async () => {
    edge = await FakeEdge.start({
      refuse: (_query, headers) => (headers.authorization === "Bearer bad" ? { status: 401, code: "unauthorized" } : undefined),
    });
    await expect(connect({ url: edge.url, token: "bad", kind: "device", tokenIn: "header" })).rejects.toMatchObject({
      code: "unauthorized",
      status: 401,
    });
  });
});
