import { describe, expect, it } from "vitest";
import { StubCache } from "./stubs";

/** A fake namespace whose stubs answer `ping` with a promise the test settles. */
function fakeEnv() {
  const made: { name: string; settle: (() => void)[] }[] = [];
  const namespace = {
    getByName(name: string) {
      const stub = { name, settle: [] as (() => void)[] };
      made.push(stub);
      return {
        ping: () => new Promise<string>((resolve) => stub.settle.push(() => resolve(name))),
        fail: () => Promise.reject(new Error("broken")),
      };
    },
  };
  return { env: { USER: namespace, APP: namespace, CHANNEL: namespace } as unknown as Env, made };
}

describe("StubCache", () => {
  it("keeps one stub per target while calls are in flight, and none once they settled", async () => {
    const { env, made } = fakeEnv();
    const stubs = new StubCache(env);
    const a = (stubs.user("u1") as unknown as { ping(): Promise<string> }).ping();
    const b = (stubs.user("u1") as unknown as { ping(): Promise<string> }).ping();
    expect(made).toHaveLength(1); // the second call went through the same stub: E-order holds
    expect(stubs.size).toBe(1);
    made[0]!.settle[0]!();
    await a;
    expect(stubs.size).toBe(1); // one call is still in flight
    made[0]!.settle[1]!();
    await b;
    await Promise.resolve();
    expect(stubs.size).toBe(0);
    void (stubs.user("u1") as unknown as { ping(): Promise<string> }).ping();
    expect(made).toHaveLength(2); // everything before was answered, so a fresh stub cannot overtake it
  });

  it("lets go of a stub whose call failed", async () => {
    const { env } = fakeEnv();
    const stubs = new StubCache(env);
    await expect((stubs.app("x") as unknown as { fail(): Promise<void> }).fail()).rejects.toThrow("broken");
    await Promise.resolve();
    expect(stubs.size).toBe(0);
  });
});
