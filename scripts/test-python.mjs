// `npm run test:python`: the Python SDK's checks and tests, in sdk/python/.venv (made when missing):
// install the package with its test dependencies, then ruff, mypy --strict and pytest (which starts the
// real local stack itself). Exits with the first failing step's code.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = join(root, "sdk", "python");
const venv = join(pkg, ".venv");
const bin = (name) => join(venv, process.platform === "win32" ? "Scripts" : "bin", name);
const env = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  PIP_DISABLE_PIP_VERSION_CHECK: "1",
};

function run(command, args, cwd = pkg) {
  process.stdout.write(`\n> ${[command, ...args].join(" ")}\n`);
  const result = spawnSync(command, args, { cwd, env, stdio: "inherit" });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(bin("python"))) run(process.env.PYTHON ?? "python3", ["-m", "venv", venv], root);
run(bin("python"), ["-m", "pip", "install", "--quiet", "--editable", `${pkg}[test]`]);
const linted = ["src", "tests", "../../examples/python", "../../bench/sdk_latency.py", "../../test/faults/clients"];
run(bin("ruff"), ["check", ...linted]);
run(bin("ruff"), ["format", "--check", ...linted]);
run(bin("mypy"), []);
run(bin("pytest"), ["-q"]);
