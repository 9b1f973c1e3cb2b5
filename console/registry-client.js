import { RegistryError } from "./errors.js";

/**
 * The registry's HTTP routes, called with the admin key (local stacks and operators only).
 *
 * @example
 * const reg = new RegistryClient(location.origin, adminKey);
 * const { token } = await reg.mintToken({ uid: "u1", app: "shop", kinds: ["webuo"] });
 */
export class RegistryClient {
  constructor(base, adminKey) {
    this.base = base;
    this.adminKey = adminKey;
  }

  async request(method, path, body) {
    let res;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: { authorization: `Bearer ${this.adminKey}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new RegistryError("internal", `cannot reach the edge (${err.message})`, 0);
    }
    const text = await res.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const e = parsed?.error;
      const fallback =
        res.status === 401 ? "unauthorized" : res.status === 403 ? "forbidden" : res.status === 404 ? "not_found" : "http";
      throw new RegistryError(e?.code ?? fallback, e?.message ?? `${method} ${path} answered ${res.status}`, res.status);
    }
    return parsed;
  }

  mintToken(claims) {
    return this.request("POST", "/v1/admin/tokens", claims);
  }

  async listApps() {
    return (await this.request("GET", "/v1/admin/apps"))?.apps ?? [];
  }

  putApp(app, owner) {
    return this.request("PUT", `/v1/admin/apps/${encodeURIComponent(app)}`, { owner });
  }

  grant(app, uid, kind) {
    return this.request("PUT", `/v1/admin/apps/${encodeURIComponent(app)}/grants/${encodeURIComponent(uid)}`, { kind });
  }

  revoke(app, uid) {
    return this.request("DELETE", `/v1/admin/apps/${encodeURIComponent(app)}/grants/${encodeURIComponent(uid)}`);
  }

  stats() {
    return this.request("GET", "/v1/admin/stats");
  }

  /** The channels with subscribers: subscribers per app, seq, retained value. */
  channels() {
    return this.request("GET", "/v1/admin/channels");
  }

  /** An app's online blocks with the methods each serves and the channels it subscribes to. */
  async appBlocks(app) {
    return (await this.request("GET", `/v1/admin/apps/${encodeURIComponent(app)}/blocks`))?.blocks ?? [];
  }
}
