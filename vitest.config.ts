import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Three kinds of tests, each in its own project:
// - unit: pure modules, beside their code (src, sdk, bridge, cli);
// - workers: the Durable Objects inside real workerd (the Workers vitest pool);
// - e2e: the real local stack (workerd edge, MQTT bridge, headless Chromium) driven over real sockets.
export default defineConfig({
  // Workspace packages (the SDK) resolve to their TypeScript source in tests, in every environment.
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          environment: "node",
          sequence: { groupOrder: 0 },
          include: [
            "src/**/*.test.ts",
            "sdk/src/**/*.test.ts",
            "bridge/src/**/*.test.ts",
            "cli/**/*.test.ts",
            "bench/**/*.test.ts",
            "scripts/**/*.test.ts",
          ],
        },
      },
      {
        plugins: [
          cloudflareTest({
            main: "./src/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                NEXUS_ADMIN_KEY: "test-admin-key",
                NEXUS_JWT_SECRET: "test-jwt-secret-that-is-long-enough-for-hs256",
                NEXUS_RATE_PER_SEC: "50",
                NEXUS_RATE_BURST: "20",
                NEXUS_MAX_FRAME_BYTES: "4096",
              },
            },
          }),
        ],
        test: { name: "workers", include: ["test/workers/**/*.test.ts"], sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          environment: "node",
          // Each file starts its own stack (workerd, sometimes the bridge and Chromium): two at a time fit 2 cores.
          sequence: { groupOrder: 2 },
          include: [
            "test/e2e/**/*.test.ts",
            "test/abuse/**/*.test.ts",
            "test/sdk/**/*.test.ts",
            "test/bridge/**/*.test.ts",
            "test/cli/**/*.test.ts",
            "test/browser/**/*.test.ts",
            "test/faults/**/*.test.ts",
            "test/soak/**/*.test.ts",
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
        },
      },
    ],
  },
});
