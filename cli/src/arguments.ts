import { APP_PATTERN, UID_PATTERN } from "../../src/identity/jid";
import { isKind, KINDS, parseResource } from "../../src/identity/kinds";
import { NAME_PATTERN } from "../../src/protocol/codec";
import { CliError } from "./cli-error";

// The command line is checked against the protocol's own name rules before anything is sent, so a
// typo is a usage error (exit 2) that says which argument is wrong, not a server's bad_request.

const KIND_LIST = Object.keys(KINDS).join(", ");

/**
 * A channel name, or a usage error.
 *
 * @example
 * ```ts
 * channelArgument("prices"); // "prices"
 * channelArgument("a b");    // throws CliError("usage", ...)
 * ```
 */
export function channelArgument(channel: string): string {
  if (!NAME_PATTERN.test(channel))
    throw new CliError("usage", `CHANNEL "${channel}" is not a channel name: use 1-128 of A-Z a-z 0-9 _ . : / -`);
  return channel;
}

/**
 * An app name, or a usage error.
 *
 * @example
 * ```ts
 * appArgument("etest"); // "etest"
 * ```
 */
export function appArgument(app: string, name = "APP"): string {
  if (!APP_PATTERN.test(app))
    throw new CliError(
      "usage",
      `${name} "${app}" is not an app name: lowercase a-z 0-9 _ -, starting with a letter or digit, at most 63`,
    );
  return app;
}

/**
 * A method name, or a usage error.
 *
 * @example
 * ```ts
 * methodArgument("sum"); // "sum"
 * ```
 */
export function methodArgument(method: string): string {
  if (!NAME_PATTERN.test(method))
    throw new CliError("usage", `METHOD "${method}" is not a method name: use 1-128 of A-Z a-z 0-9 _ . : / -`);
  return method;
}

/**
 * A uid, or a usage error.
 *
 * @example
 * ```ts
 * uidArgument("682ebf741c055d80a4f15f8b");
 * ```
 */
export function uidArgument(uid: string, name = "--uid"): string {
  if (!UID_PATTERN.test(uid)) throw new CliError("usage", `${name} "${uid}" is not a uid: use 1-64 of A-Z a-z 0-9 _`);
  return uid;
}

/**
 * A resource (`<kind><suffix>`), or a usage error that lists the kinds.
 *
 * @example
 * ```ts
 * resourceArgument("default7Hx"); // "default7Hx"
 * ```
 */
export function resourceArgument(resource: string, name = "RESOURCE"): string {
  if (!parseResource(resource))
    throw new CliError(
      "usage",
      `${name} "${resource}" is not <kind><suffix> (suffix: up to 32 of A-Z a-z 0-9); kinds: ${KIND_LIST}`,
    );
  return resource;
}

/**
 * A kind, or a usage error that names it and lists the kinds.
 *
 * @example
 * ```ts
 * kindArgument("webuo"); // "webuo"
 * ```
 */
export function kindArgument(kind: string, name = "--kind"): string {
  if (!isKind(kind)) throw new CliError("usage", `${name}: unknown kind "${kind}"; kinds: ${KIND_LIST}`);
  return kind;
}

/**
 * A comma-separated list of kinds, each checked.
 *
 * @example
 * ```ts
 * kindsArgument("default, webuo"); // ["default", "webuo"]
 * ```
 */
export function kindsArgument(list: string): string[] {
  return list
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "")
    .map((k) => kindArgument(k, "--kinds"));
}
