import { connect, NexusError } from "@qe/nexus-sdk";
import type { Browser, Page, WebSocketRoute } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureSdkBuild } from "../../scripts/sdk-build";
import { artifact, launchChromium } from "../support/browser";
import { startStack, type TestStack } from "../support/stack";

// The console in real headless Chromium against the real edge (workerd), with a real worker in
// this process. Steps run in order and share one page: each builds on the previous one, as a user would.

type Client = Awaited<ReturnType<typeof connect>>;

let stack: TestStack | undefined;
let browser: Browser | undefined;
let page: Page;
let worker: Client | undefined;
let workerJid = "";
let workerResource = "";
const pageErrors: string[] = [];
const directs: { text: string; from: string }[] = [];
let directArrived: (() => void) | undefined;

/**
 * The console's sockets pass through a route, so that a test can cut the current one (a network
 * that goes away) and hold what the next one receives (its welcome) while messages are published.
 */
const routed = {
  current: undefined as { page: WebSocketRoute; server: WebSocketRoute } | undefined,
  holding: false,
  held: [] as (() => void)[],
  reconnected: undefined as (() => void) | undefined,
};

function routeSocket(ws: WebSocketRoute): void {
  const server = ws.connectToServer();
  routed.current = { page: ws, server };
  if (!routed.holding) return; // forwarded both ways as it comes
  const queue: (string | Buffer)[] = [];
  let open = false;
  server.onMessage((m) => (open ? ws.send(m) : queue.push(m)));
  routed.held.push(() => {
    open = true;
    for (const m of queue.splice(0)) ws.send(m);
  });
  routed.reconnected?.();
}

async function shot(name: string) {
  await page.screenshot({ path: artifact(`console-${name}.png`), fullPage: true });
}

async function openPanel(title: string) {
  await page.getByRole("button", { name: title, exact: true }).click();
  await page.locator(`#panel-${title.toLowerCase()}`).waitFor({ state: "visible" });
}

async function signInWithAdminKey(uid: string, app: string) {
  await page.getByLabel("Admin key", { exact: true }).fill(stack!.adminKey);
  await page.getByLabel("User id (uid)", { exact: true }).fill(uid);
  await page.getByLabel("App", { exact: true }).fill(app);
  await page.getByRole("button", { name: "Sign in with admin key" }).click();
  await page.locator("#status", { hasText: `connected as ${app}-${uid}-` }).waitFor();
}

beforeAll(async () => {
  await ensureSdkBuild();
  stack = await startStack();
  await stack.createApp("shop", "olivia");
  await stack.createApp("market", "mo");
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 850 } });
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.routeWebSocket(/\/v1\/connect/, routeSocket);
});

afterAll(async () => {
  await worker?.close();
  await browser?.close();
  await stack?.stop();
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

describe("console", () => {
  it("refuses a bad token and says what the code means", async () => {
    await page.goto(stack!.httpUrl);
    await page.getByLabel("Token (JWT)", { exact: true }).fill("not-a-token");
    await page.getByRole("button", { name: "Sign in with token" }).click();
    const error = page.locator(".sign-in .error");
    await error.waitFor();
    expect(await error.getAttribute("data-code")).toBe("unauthorized");
    expect(await error.locator(".advice").textContent()).toContain("Paste a fresh token");
    expect(await page.locator("#status").textContent()).toBe("Signed out");
  });

  it("signs in with the admin key using only the keyboard", async () => {
    await page.goto(stack!.httpUrl);
    await page.getByRole("heading", { name: "Local stack: sign in with the admin key" }).waitFor();
    await shot("sign-in");
    // Focus starts in the first field; Tab moves through the form in reading order; Enter submits.
    await page.keyboard.type(stack!.adminKey);
    await page.keyboard.press("Tab");
    await page.keyboard.type("olivia");
    await page.keyboard.press("Tab");
    await page.keyboard.type("shop");
    await page.keyboard.press("Enter");
    const status = page.locator("#status", { hasText: "connected as shop-olivia-owner@" });
    await status.waitFor();
    expect(await status.textContent()).toMatch(/shop-olivia-owner@qepal\.com\/webuo[A-Za-z0-9]{8}/);
  });

  it("shows a worker in Blocks once it comes online", async () => {
    const own = page.locator('[data-list="my-blocks"] tr[data-jid*="/webuo"]');
    await own.waitFor();
    const token = await stack!.token({ uid: "olivia", app: "shop" });
    worker = await connect({ url: stack!.httpUrl, token, kind: "default", reconnect: false });
    workerJid = worker.jid;
    workerResource = worker.identity!.resource;
    await worker.serve("sum", ({ a, b }: { a: number; b: number }) => ({ sum: a + b }));
    await worker.serve("picky", () => {
      throw new NexusError("bad_request", "a and b must be numbers");
    });
    worker.onDirect((text, ctx) => {
      directs.push({ text, from: ctx.from.jid });
      directArrived?.();
    });

    await page.getByRole("button", { name: "Refresh blocks" }).click();
    const row = page.locator(`[data-list="app-blocks"] tr[data-jid="${workerJid}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("default");
    expect(await page.locator('[data-list="app-blocks"] tbody tr').count()).toBe(2);
    await shot("blocks");
  });

  it("opens a block's view with the methods it serves, each with a Call shortcut", async () => {
    await page
      .locator('[data-list="app-blocks"]')
      .getByRole("button", { name: `View ${workerResource}` })
      .click();
    const view = page.getByRole("region", { name: "Block", exact: true });
    await view.locator('[data-list="methods"] li[data-method="sum"]').waitFor();
    expect(await view.locator('[data-list="methods"] li').evaluateAll((lis) => lis.map((li) => li.dataset.method))).toEqual([
      "picky",
      "sum",
    ]);
    expect(await view.locator("dl.facts").textContent()).toContain("default (worker)");
    expect(await view.getByText("None.").count()).toBe(1); // no channels yet
    await shot("block-view");
    await view.getByRole("button", { name: `Call sum on ${workerResource}` }).click();
    await page.locator("#panel-api").waitFor({ state: "visible" });
    expect(await page.locator("#panel-api").getByLabel("Method", { exact: true }).inputValue()).toBe("sum");
    await openPanel("Blocks");
    await view.getByRole("button", { name: "Close block view" }).click();
    await view.waitFor({ state: "hidden" });
  });

  it("calls the worker's API and shows the result and the round-trip time", async () => {
    await page
      .locator('[data-list="app-blocks"]')
      .getByRole("button", { name: `Call ${workerResource}` })
      .click();
    await page.locator("#panel-api").waitFor({ state: "visible" });
    const api = page.locator("#panel-api");
    expect(await api.getByLabel("Resource (optional: one exact worker)", { exact: true }).inputValue()).toBe(workerResource);
    await api.getByLabel("Method", { exact: true }).fill("sum");
    await api.getByLabel("Data (JSON)", { exact: true }).fill('{"a": 1, "b": 2}');
    await api.getByRole("button", { name: "Call", exact: true }).click();
    const ok = page.locator('#panel-api .result[data-ok="true"]');
    await ok.waitFor();
    expect(JSON.parse((await ok.getByLabel("Result", { exact: true }).textContent()) ?? "")).toEqual({ sum: 3 });
    expect(await ok.locator(".rtt").textContent()).toMatch(/^\d+\.\d ms$/);
    await shot("api");

    await api.getByLabel("Method", { exact: true }).fill("missing");
    await api.getByRole("button", { name: "Call", exact: true }).click();
    const failed = page.locator('#panel-api .result[data-ok="false"] .error');
    await failed.waitFor();
    expect(await failed.getAttribute("data-code")).toBe("no_responders");
    expect(await failed.locator(".advice").textContent()).toContain("No online worker serves this method");

    // The worker's own bad_request is the worker's word on the data, not advice about name syntax.
    await api.getByLabel("Method", { exact: true }).fill("picky");
    await api.getByRole("button", { name: "Call", exact: true }).click();
    const refused = page.locator('#panel-api .result[data-ok="false"] .error[data-code="bad_request"]');
    await refused.waitFor();
    expect(await refused.textContent()).toContain("a and b must be numbers");
    const advice = await refused.locator(".advice").textContent();
    expect(advice).toContain("The worker refused the data");
    expect(advice).not.toContain("Names use");
  });

  it("shows channel messages with their senders, and publishes retained values", async () => {
    await openPanel("Channels");
    const subscribe = page.getByRole("form", { name: "Subscribe" });
    await subscribe.getByLabel("Channel", { exact: true }).fill("prices");
    await subscribe.getByRole("button", { name: "Subscribe", exact: true }).click();
    await page.getByText("Subscribed to prices.").waitFor();

    await worker!.publish("prices", "42", { ack: true });
    const fromWorker = page.locator(".log .msg", { hasText: workerJid });
    await fromWorker.waitFor();
    expect(await fromWorker.locator(".data").textContent()).toBe("42");

    const publish = page.getByRole("form", { name: "Publish" });
    expect(await publish.getByLabel("Channel", { exact: true }).inputValue()).toBe("prices");
    await publish.getByLabel("Message", { exact: true }).fill("hello from the console");
    await publish.getByLabel(/^Retain/).check();
    await publish.getByRole("button", { name: "Publish", exact: true }).click();
    const own = page.locator(".log .msg", { hasText: "hello from the console" });
    await own.waitFor();
    expect(await own.locator(".from").textContent()).toContain("shop-olivia-owner@qepal.com/webuo");
    // Newest first, and seq grows by one per channel.
    const metas = await page.locator(".log .msg .meta").allTextContents();
    const seqs = metas.map((m) => Number(/#(\d+)/.exec(m)?.[1]));
    expect(seqs[0]).toBe((seqs[1] ?? Number.NaN) + 1);

    // The browser lists the channel: this console subscribes, the retained value and its seq.
    await page.getByRole("button", { name: "Refresh channels" }).click();
    const row = page.locator('[data-list="channels"] tr[data-channel="prices"]', { hasText: "hello from the console" });
    await row.waitFor();
    expect(await row.locator('td[data-label="Subscribers"]').textContent()).toBe("1");
    expect(await row.locator('td[data-label="Apps"]').textContent()).toBe("shop (1)");
    expect(await row.locator('td[data-label="Seq"]').textContent()).toBe(String(seqs[0]));
    expect(await row.locator('td[data-label="Retained value"]').textContent()).toContain(`#${seqs[0]} from webuo`);
    await shot("channels");
  });

  it("shows a gap in the channel log when a reconnect could not recover what was missed", async () => {
    const metas = await page.locator(".log .msg .meta").allTextContents();
    const lastSeen = Math.max(...metas.map((m) => Number(/#(\d+)/.exec(m)?.[1])));
    routed.holding = true;
    const reconnected = new Promise<void>((resolve) => {
      routed.reconnected = resolve;
    });
    const cut = routed.current!;
    await cut.server.close();
    await cut.page.close({ code: 1001, reason: "the network went away (test)" });
    await reconnected; // the console is back on a new socket; its welcome waits
    // Past the channel's history (256 messages by default): the edge cannot recover them.
    await Promise.all(Array.from({ length: 300 }, (_, i) => worker!.publish("prices", `while away ${i}`, { ack: true })));
    routed.holding = false;
    for (const release of routed.held.splice(0)) release();

    const gap = page.locator('.log .gap[data-channel="prices"]');
    await gap.waitFor();
    expect(await gap.getAttribute("data-reason")).toBe("not_recovered");
    expect(await gap.textContent()).toContain(`messages after #${lastSeen} were published while this console was away`);
    expect(await page.locator(".log .msg", { hasText: "while away" }).count()).toBe(0);
    await worker!.publish("prices", "after the gap", { ack: true });
    const after = page.locator(".log .msg", { hasText: "after the gap" });
    await after.waitFor();
    expect(await after.locator(".meta").textContent()).toContain(`#${lastSeen + 301}`);
    await shot("channel-gap");
  });

  it("sends a direct to the worker and shows the server's ack", async () => {
    const arrived = new Promise<void>((resolve) => {
      directArrived = resolve;
    });
    await openPanel("Blocks");
    await page
      .locator('[data-list="app-blocks"]')
      .getByRole("button", { name: `Direct to ${workerResource}` })
      .click();
    await page.locator("#panel-direct").waitFor({ state: "visible" });
    const direct = page.locator("#panel-direct");
    expect(await direct.getByLabel("Resource (the worker)", { exact: true }).inputValue()).toBe(workerResource);
    await direct.getByLabel("Text", { exact: true }).fill("reboot");
    await direct.getByRole("button", { name: "Send direct" }).click();
    await page.locator('#panel-direct [data-ok="true"]', { hasText: "acknowledged" }).waitFor();
    await arrived;
    expect(directs).toEqual([{ text: "reboot", from: expect.stringMatching(/^shop-olivia-owner@qepal\.com\/webuo/) }]);
    await shot("direct");
  });

  it("charts the last minutes in Stats and shows connections per app", async () => {
    await openPanel("Stats");
    const shop = page.locator('[data-list="stats"] tr[data-app="shop"]');
    await shop.waitFor();
    // The console and the worker.
    expect(await shop.locator('td[data-label="Connections"]').textContent()).toBe("2");
    const charts = page.locator("#panel-stats figure.chart");
    expect(await charts.evaluateAll((figs) => figs.map((f) => (f as HTMLElement).dataset.chart))).toEqual([
      "connections",
      "messages",
      "calls",
      "latency",
      "errors",
    ]);
    // The panel refreshes every 2 s; the last whole second is charted once it is over.
    const latest = (chart: string, series: string) =>
      page.locator(`[data-chart="${chart}"] .legend-item[data-series="${series}"] .latest`);
    await latest("connections", "connections").filter({ hasText: /^2$/ }).waitFor();
    expect(await page.locator('[data-chart="messages"] path[data-series="in"]').getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+L/);
    // Calls were made (sum, missing, picky): the latency chart has a point, and errors show their codes.
    expect(await page.locator('[data-chart="latency"] path[data-series="p99"]').getAttribute("d")).toMatch(/^M/);
    await page.locator('[data-chart="errors"] .legend-item[data-series="no_responders"]').waitFor();
    await page.locator('[data-chart="errors"] .legend-item[data-series="bad_request"]').waitFor();
    await shot("stats");
    await page.getByLabel("Charts:").selectOption("60");
    await page.locator('[data-chart="connections"] text.tick', { hasText: "−15s" }).waitFor();
    await shot("stats-last-minute");
  });

  it("after a grant is revoked in Registry, a cross-app call fails with forbidden", async () => {
    await openPanel("Registry");
    await page.locator('[data-list="apps"] tr[data-app="market"]').waitFor();
    const grant = page.getByRole("form", { name: "Grant access" });
    await grant.getByLabel("App", { exact: true }).fill("shop");
    await grant.getByLabel("User id", { exact: true }).fill("uma");
    await grant.getByRole("button", { name: "Grant" }).click();
    await page.locator('[data-list="apps"] tr[data-app="shop"] li[data-uid="uma"]').waitFor();
    await shot("registry");

    // Sign in again as uma, a user of app market with a grant on shop.
    await page.getByRole("button", { name: "Sign out" }).click();
    await signInWithAdminKey("uma", "market");
    await openPanel("API");
    const api = page.locator("#panel-api");
    const call = async () => {
      await api.getByLabel("App", { exact: true }).fill("shop");
      await api.getByLabel("Method", { exact: true }).fill("sum");
      await api.getByLabel("Data (JSON)", { exact: true }).fill('{"a": 20, "b": 22}');
      await api.getByRole("button", { name: "Call", exact: true }).click();
    };
    await call();
    const ok = page.locator('#panel-api .result[data-ok="true"]');
    await ok.waitFor();
    expect(JSON.parse((await ok.getByLabel("Result", { exact: true }).textContent()) ?? "")).toEqual({ sum: 42 });

    await openPanel("Registry");
    await page.getByRole("button", { name: "Revoke uma on shop" }).click();
    await page.getByText("Revoke uma on shop: done").waitFor();
    await page.locator('[data-list="apps"] tr[data-app="shop"] li[data-uid="uma"]').waitFor({ state: "detached" });

    await openPanel("API");
    await call();
    const failed = page.locator('#panel-api .result[data-ok="false"] .error');
    await failed.waitFor();
    expect(await failed.getAttribute("data-code")).toBe("forbidden");
    expect(await failed.locator(".advice").textContent()).toContain("Ask the app's owner for a grant");
    await shot("api-forbidden");
  });

  it("signs in with a pasted token, and asks for the admin key before showing Registry", async () => {
    const token = await stack!.token({ uid: "olivia", app: "shop", kinds: ["webuo"] });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Token (JWT)", { exact: true }).fill(token);
    await page.getByRole("button", { name: "Sign in with token" }).click();
    await page.locator("#status", { hasText: "connected as shop-olivia-owner@" }).waitFor();
    await openPanel("Registry");
    const gate = page.getByRole("form", { name: "Admin key" });
    await gate.getByLabel("Admin key", { exact: true }).fill("wrong-key");
    await gate.getByRole("button", { name: "Use admin key" }).click();
    // A refused key is forgotten and asked for again, with the code and what to do.
    const refused = gate.locator('.error[data-code="unauthorized"]');
    await refused.waitFor();
    expect(await refused.textContent()).toContain("Admin key refused");
    await gate.getByLabel("Admin key", { exact: true }).fill(stack!.adminKey);
    await gate.getByRole("button", { name: "Use admin key" }).click();
    const shop = page.locator('[data-list="apps"] tr[data-app="shop"]');
    await shop.waitFor();
    expect(await shop.locator('td[data-label="Owner"]').textContent()).toBe("olivia");
  });

  it("is readable on a phone-sized screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openPanel("Registry");
    await page.locator('[data-list="apps"] tr[data-app="shop"]').waitFor();
    // No horizontal scrolling of the page itself.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    await shot("mobile-registry");
  });

  it("keeps every tab in sight on a phone, Registry and Stats included", async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const title of ["Blocks", "Channels", "API", "Direct", "Registry", "Stats"]) {
      const box = await page.getByRole("button", { name: title, exact: true }).boundingBox();
      expect(box, title).not.toBeNull();
      expect(box!.x, title).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, title).toBeLessThanOrEqual(360);
    }
    await openPanel("Stats");
    await page.locator("#panel-stats figure.chart").first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    await shot("mobile-stats");
  });
});
