import { Hono } from "hono";
import { configOf } from "./config";
import { admin } from "./http/admin";
import { drainUnread } from "./http/bounded-body";
import { connect } from "./http/connect";
import { errorResponse, HttpError } from "./http/errors";

export { AppObject } from "./app/app-object";
export { EchoObject } from "./bench/echo-object";
export { ChannelObject } from "./channel/channel-object";
export { Directory } from "./presence/directory";
export { UserPresence } from "./presence/user-presence";

/** The edge worker: health, the connect upgrade, the admin registry; the console is static assets. */
const app = new Hono<{ Bindings: Env }>();

// A misconfigured edge does not run half-configured: every route, health included, says why.
app.use("*", async (c, next) => {
  const { problem } = configOf(c.env);
  if (problem) {
    console.error(`nexus refuses to serve: ${problem}`);
    return c.json({ error: { code: "internal", message: `misconfigured: ${problem}` } }, 500);
  }
  await next();
});

app.get("/healthz", (c) => c.json({ ok: true }));
app.get("/v1/connect", connect);
app.route("/v1/admin", admin);

// The benchmark baseline (a bare Durable Object WebSocket echo), only when NEXUS_BENCH=1.
app.get("/bench/echo", (c) => {
  if (!configOf(c.env).config.bench) throw new HttpError(404, "not_found", "benchmarks are off");
  return c.env.ECHO.getByName(c.req.query("name") ?? "echo").fetch(c.req.raw);
});

app.notFound((c) => c.json({ error: { code: "not_found", message: `no route ${c.req.method} ${c.req.path}` } }, 404));
app.onError(async (err, c) => {
  // An error answered before the body was read (a bad path, a bad key) would otherwise reset the connection.
  await drainUnread(c.req.raw);
  return errorResponse(c, err);
});

export default app;
