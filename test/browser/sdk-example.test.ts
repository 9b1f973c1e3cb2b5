import { connect, type NexusClient } from "@qe/nexus-sdk";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureSdkBuild } from "../../scripts/sdk-build";
import { artifact, launchChromium } from "../support/browser";
import { startStack, type TestStack } from "../support/stack";

// The SDK's example pages in real headless Chromium against the real edge (workerd), with a Node
// worker on the SDK in this process: the page loads /sdk/index.js, subscribes, calls, sends Directs, finds.

const APP = "demo";
const OWNER = "owner1";

let stack: TestStack | undefined;
let browser: Browser | undefined;
let worker: NexusClient | undefined;
let page: Page;
const pageErrors: string[] = [];
const directs: string[] = [];
let directArrived: (() => void) | undefined;

beforeAll(async () => {
  // startStack copies sdk/dist into the site; build it first so this file passes on its own.
  await ensureSdkBuild();
  stack = await startStack();
  await stack.createApp(APP, OWNER);
  worker = await connect({ url: stack.httpUrl, token: await stack.token({ uid: OWNER, app: APP }), kind: "default" });
  await worker.serve("sum", ({ a, b }: { a: number; b: number }) => ({ sum: a + b }));
  worker.onDirect((text) => {
    directs.push(text);
    directArrived?.();
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await worker?.close();
  await browser?.close();
  await stack?.stop();
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

async function openPage(path: string, kinds: string[]): Promise<void> {
  const token = await stack!.token({ uid: OWNER, app: APP, kinds });
  page = await browser!.newPage({ viewport: { width: 900, height: 1100 } });
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.goto(`${stack!.httpUrl}${path}?token=${encodeURIComponent(token)}`);
  await page.locator('#state[data-state="connected"]').waitFor();
}

describe("examples/webuo.html", () => {
  it("connects as webuo, receives a channel, calls the API, sends a Direct and finds the worker", async () => {
    await openPage("/examples/webuo.html", ["webuo"]);
    expect(await page.locator("#jid").textContent()).toMatch(
      new RegExp(`^${APP}-${OWNER}-owner@qepal\\.com/webuo[A-Za-z0-9]{8}$`),
    );

    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.locator("#channel-state", { hasText: "subscribed to demo/ticks" }).waitFor();
    await worker!.publish("demo/ticks", "tick 1", { ack: true });
    await worker!.publish("demo/ticks", "tick 2", { ack: true });
    await page.locator('#messages li[data-text="tick 2"]').waitFor();
    expect(await page.locator("#messages li").evaluateAll((items) => items.map((li) => li.getAttribute("data-text")))).toEqual([
      "tick 2",
      "tick 1",
    ]);

    await page.getByLabel("Data (JSON)").fill('{"a": 20, "b": 22}');
    await page.getByRole("button", { name: "Call" }).click();
    await page.locator("#api-result", { hasText: "sum" }).waitFor();
    expect(JSON.parse((await page.locator("#api-result").textContent()) ?? "")).toEqual({ sum: 42 });

    const arrived = new Promise<void>((resolve) => {
      directArrived = resolve;
    });
    await page.getByLabel("Worker resource").fill(worker!.identity!.resource);
    await page.getByRole("button", { name: "Send" }).click();
    await arrived;
    expect(directs).toEqual(["hello from the panel"]);
    await page.locator("#direct-result", { hasText: "delivered" }).waitFor();

    await page.getByRole("button", { name: "Find" }).click();
    await page.locator("#blocks li", { hasText: worker!.jid }).waitFor();
    expect(await page.locator("#blocks li").allTextContents()).toEqual([worker!.jid]);

    await page.screenshot({ path: artifact("sdk-webuo.png"), fullPage: true });
  });

  it("shows the error code when the worker is not there", async () => {
    await page.getByLabel("Method").fill("nobody-serves-this");
    await page.getByRole("button", { name: "Call" }).click();
    await page.locator("#api-result.error").waitFor();
    expect(await page.locator("#api-result").textContent()).toMatch(/^no_responders: /);
    await page.close();
  });
});

describe("refused connects in the browser", () => {
  // Chromium hides the HTTP status of a failed upgrade; the SDK asks the same URL over plain HTTP instead.
  it.each([
    ["a bad token", async () => "not-a-jwt", /^unauthorized: /],
    ["a token without the webuo kind", () => stack!.token({ uid: OWNER, app: APP, kinds: ["webxo"] }), /^forbidden: /],
  ])("shows the contract code for %s", async (_what, token, expected) => {
    page = await browser!.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
    await page.goto(`${stack!.httpUrl}/examples/webuo.html?token=${encodeURIComponent(await token())}`);
    await page.locator('#state.error[data-state="closed"]').waitFor();
    expect(await page.locator("#state").textContent()).toMatch(expected);
    await page.close();
  });
});

describe("examples/webxo.html", () => {
  it("follows the live channel, adds two numbers through the worker and nudges it", async () => {
    await openPage("/examples/webxo.html", ["webxo"]);
    await worker!.publish("demo/ticks", "tick 3", { ack: true, retain: true });
    await page.locator("#latest", { hasText: "tick 3" }).waitFor();

    await page.getByLabel("a", { exact: true }).fill("7");
    await page.getByLabel("b", { exact: true }).fill("8");
    await page.getByRole("button", { name: "Add" }).click();
    await page.locator("#sum", { hasText: "= 15" }).waitFor();

    const arrived = new Promise<void>((resolve) => {
      directArrived = resolve;
    });
    await page.getByRole("button", { name: "Find workers" }).click();
    const row = page.locator("#workers li", { hasText: worker!.jid });
    await row.getByRole("button", { name: "nudge" }).click();
    await arrived;
    expect(directs.at(-1)).toMatch(/^nudge from webxo[A-Za-z0-9]{8}$/);
    await page.locator("#nudge-result", { hasText: `nudged ${worker!.identity!.resource}` }).waitFor();
    await page.screenshot({ path: artifact("sdk-webxo.png"), fullPage: true });
    await page.close();
  });
});
