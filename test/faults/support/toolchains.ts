import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const env = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  PIP_DISABLE_PIP_VERSION_CHECK: "1",
};

/**
 * The Python of sdk/python/.venv with the SDK installed, made as `npm run test:python` makes it when
 * missing: `npm test` runs vitest before test:python, so on a fresh clone this is the first to need it.
 *
 * @example
 * const python = pythonWithSdk(); // .../sdk/python/.venv/bin/python
 */
export function pythonWithSdk(): string {
  const pkg = join(ROOT, "sdk", "python");
  const venv = join(pkg, ".venv");
  const python = join(
    venv,
    process.platform === "win32" ? "Scripts" : "bin",
    process.platform === "win32" ? "python.exe" : "python",
  );
  if (!existsSync(python)) execFileSync(process.env.PYTHON ?? "python3", ["-m", "venv", venv], { env, stdio: "inherit" });
  try {
    execFileSync(python, ["-c", "import qe_nexus"], { env, stdio: "ignore" });
  } catch {
    execFileSync(python, ["-m", "pip", "install", "--quiet", "--editable", `${pkg}[test]`], { env, stdio: "inherit" });
  }
  return python;
}

/**
 * Builds the Go fault client (test/faults/clients/go, on sdk/go of this checkout) into a temporary
 * folder and returns the binary's path, so starting it later costs no compile.
 *
 * @example
 * const goBinary = buildGoClient();
 */
export function buildGoClient(): string {
  const out = join(mkdtempSync(join(tmpdir(), "nexus-fault-go-")), "fault-client");
  execFileSync("go", ["build", "-o", out, "."], { cwd: join(ROOT, "test", "faults", "clients", "go"), env, stdio: "inherit" });
  return out;
}
