// A strict AWS SSO-OIDC stand-in on loopback: client registration, device authorization, token grants, a page where a person (or a browser test) approves the code, and an external identity provider's OAuth token endpoint.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

export const SIM_ALLOWED_SCOPES: readonly string[] = [
  "codewhisperer:completions",
  "codewhisperer:analysis",
  "codewhisperer:conversations",
  "codewhisperer:transformations",
  "codewhisperer:taskassist",
];
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export interface OidcSimulatorOptions {
  /** Seconds between polls the simulator demands (default 5). */
  interval?: number;
  /** Seconds a device code lives (default 600). */
  expiresIn?: number;
  /** Milliseconds in one of the simulator's "seconds", for intervals and code expiry (default 1000). */
  secondMs?: number;
  /** Seconds an access token lives (default 3600). */
  accessTokenTtl?: number;
  /** Seconds a client registration lives (default 90 days). */
  clientSecretTtl?: number;
  /** A refresh returns a new refresh token and retires the old one (default true). */
  rotateRefreshTokens?: boolean;
  /** `oauth`: `{"error","error_description"}` (what SSO-OIDC sends); `aws`: `{"__type","message"}`. */
  errorShape?: "oauth" | "aws";
  port?: number;
}

export interface SimRecordedOidcRequest {
  method: string;
  path: string;
  body: unknown;
  status: number;
  /** The OAuth error answered, if any. */
  error?: string;
}

export interface SimPoll {
  userCode: string;
  /** Milliseconds since the previous poll of the same code, by the simulator's own clock (undefined for the first). */
  gapMs?: number;
  /** The interval (ms) in force when this poll arrived. */
  requiredMs: number;
  answer: string;
}

interface SimClient {
  clientId: string;
  clientSecret: string;
  /** Epoch seconds. */
  expiresAt: number;
  scopes: string[];
  revoked: boolean;
}

interface SimDeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  startUrl: string;
  state: "pending" | "approved" | "denied" | "expired" | "consumed";
  createdAt: number;
  intervalSeconds: number;
  /** performance.now() of the issue (first poll) or last poll, for interval checks. */
  lastSeenAt: number;
  lastPollAt?: number;
}

interface SimRefreshToken {
  clientId: string;
  valid: boolean;
}

/** The organisation's own identity provider (Entra ID, Okta, ...) as kiro-cli / the Kiro IDE record it, on the same loopback server. */
export interface SimExternalIdp {
  /** `…/idp`: the issuer URL. */
  issuerUrl: string;
  /** `…/idp/oauth2/token`: takes the OAuth refresh grant, form-encoded (RFC 6749 §6). */
  tokenEndpoint: string;
  /** The public client id its sign-ins use (no secret). */
  clientId: string;
  /** Tokens of a sign-in made at this provider (as if kiro-cli had just signed in). */
  signIn(): { accessToken: string; refreshToken: string };
  revokeRefreshTokens(): void;
  isValidAccessToken(token: string): boolean;
  /** Refresh requests received (answered or refused). */
  readonly refreshCount: number;
  readonly currentRefreshTokens: string[];
}

export interface OidcSimulator {
  /** `http://127.0.0.1:<port>`: pass as the OIDC endpoint. */
  url: string;
  externalIdp: SimExternalIdp;
  /** Approve the code (the newest pending one when none is given). */
  approve(userCode?: string): void;
  deny(userCode?: string): void;
  /** Let the code expire now: the next poll answers `expired_token`. */
  expire(userCode?: string): void;
  /** The next poll that would answer `authorization_pending` answers `slow_down` instead (and the interval grows by 5 s). */
  slowDownOnce(): void;
  /** Every refresh token stops working: refreshes answer `invalid_grant`. */
  revokeRefreshTokens(): void;
  /** Every client registration stops working: calls answer `invalid_client`. */
  revokeClients(): void;
  /** Queue raw answers for the next requests to `path` (e.g. a 500), ahead of normal handling. */
  failNext(path: string, status: number, body: unknown): void;
  /** Resolves when a device code is issued (the UI has a code to show). */
  waitForUserCode(): Promise<string>;
  /** Resolves once `count` device-code polls have been answered in total. */
  waitForPolls(count: number): Promise<void>;
  isValidAccessToken(token: string): boolean;
  readonly requests: SimRecordedOidcRequest[];
  readonly polls: SimPoll[];
  /** Polls that arrived sooner than the interval the simulator demanded. */
  readonly pollViolations: number;
  readonly registerCount: number;
  readonly refreshCount: number;
  readonly issuedAccessTokens: string[];
  readonly currentRefreshTokens: string[];
  close(): Promise<void>;
}

class OAuthFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(error);
  }
}

const EXCEPTION_NAMES: Record<string, string> = {
  authorization_pending: "AuthorizationPendingException",
  slow_down: "SlowDownException",
  expired_token: "ExpiredTokenException",
  access_denied: "AccessDeniedException",
  invalid_grant: "InvalidGrantException",
  invalid_client: "InvalidClientException",
  invalid_request: "InvalidRequestException",
  invalid_scope: "InvalidScopeException",
  invalid_client_metadata: "InvalidClientMetadataException",
  unsupported_grant_type: "UnsupportedGrantTypeException",
  unauthorized_client: "UnauthorizedClientException",
};

function token(prefix: string): string {
  return `${prefix}-${randomBytes(18).toString("base64url")}`;
}

function userCodeText(): string {
  const letters = "BCDFGHJKLMNPQRSTVWXZ";
  const pick = () => letters[randomBytes(1)[0]! % letters.length];
  return `${Array.from({ length: 4 }, pick).join("")}-${Array.from({ length: 4 }, pick).join("")}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== "string" || value.length === 0) throw new OAuthFailure(400, "invalid_request", `${key} is required`);
  return value;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function startOidcSimulator(options: OidcSimulatorOptions = {}): Promise<OidcSimulator> {
  const secondMs = options.secondMs ?? 1000;
  const interval = options.interval ?? 5;
  const expiresIn = options.expiresIn ?? 600;
  const accessTokenTtl = options.accessTokenTtl ?? 3600;
  const clientSecretTtl = options.clientSecretTtl ?? 90 * 24 * 3600;
  const rotate = options.rotateRefreshTokens ?? true;
  const errorShape = options.errorShape ?? "oauth";

  const clients = new Map<string, SimClient>();
  const deviceCodes = new Map<string, SimDeviceCode>();
  const refreshTokens = new Map<string, SimRefreshToken>();
  const accessTokens = new Set<string>();
  const issuedAccessTokens: string[] = [];
  const requests: SimRecordedOidcRequest[] = [];
  const polls: SimPoll[] = [];
  const injected = new Map<string, { status: number; body: unknown }[]>();
  const userCodeWaiters: ((code: string) => void)[] = [];
  const pollWaiters: { count: number; resolve: () => void }[] = [];
  let pollViolations = 0;
  let registerCount = 0;
  let refreshCount = 0;
  let slowDownPending = false;
  const externalClientId = `sim-external-client-${randomUUID()}`;
  const externalRefreshTokens = new Map<string, boolean>();
  const externalAccessTokens = new Set<string>();
  let externalRefreshCount = 0;

  function findCode(userCode?: string): SimDeviceCode {
    const all = [...deviceCodes.values()];
    const found = userCode
      ? all.find((d) => d.userCode === userCode)
      : all.reverse().find((d) => d.state === "pending");
    if (!found) throw new Error(userCode ? `OIDC simulator: no device code with user code ${userCode}` : "OIDC simulator: no pending device code");
    return found;
  }

  function authenticateClient(body: Record<string, unknown>): SimClient {
    const clientId = requireString(body, "clientId");
    const clientSecret = requireString(body, "clientSecret");
    const client = clients.get(clientId);
    if (!client || client.clientSecret !== clientSecret) throw new OAuthFailure(401, "invalid_client", "Invalid client credentials");
    if (client.revoked || client.expiresAt * 1000 <= Date.now()) throw new OAuthFailure(401, "invalid_client", "Client registration has expired");
    return client;
  }

  function register(body: Record<string, unknown>): unknown {
    const clientName = requireString(body, "clientName");
    if (body.clientType !== "public") throw new OAuthFailure(400, "invalid_client_metadata", "clientType must be public");
    const scopes = body.scopes;
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === "string")) {
      throw new OAuthFailure(400, "invalid_scope", "scopes must be a non-empty list of strings");
    }
    const unknown = scopes.filter((s) => !SIM_ALLOWED_SCOPES.includes(s));
    if (unknown.length > 0) throw new OAuthFailure(400, "invalid_scope", `Unknown scopes: ${unknown.join(", ")}`);
    const grantTypes = body.grantTypes;
    if (!Array.isArray(grantTypes) || !grantTypes.includes(DEVICE_GRANT) || !grantTypes.includes("refresh_token")) {
      throw new OAuthFailure(400, "invalid_client_metadata", "grantTypes must include device_code and refresh_token");
    }
    void clientName;
    registerCount++;
    const client: SimClient = {
      clientId: `sim-client-${randomUUID()}`,
      clientSecret: token("sim-client-secret"),
      expiresAt: Math.floor(Date.now() / 1000) + clientSecretTtl,
      scopes: scopes as string[],
      revoked: false,
    };
    clients.set(client.clientId, client);
    return { clientId: client.clientId, clientSecret: client.clientSecret, clientIdIssuedAt: Math.floor(Date.now() / 1000), clientSecretExpiresAt: client.expiresAt };
  }

  function deviceAuthorization(body: Record<string, unknown>, base: string): unknown {
    const client = authenticateClient(body);
    const startUrl = requireString(body, "startUrl");
    let parsed: URL;
    try {
      parsed = new URL(startUrl);
    } catch {
      throw new OAuthFailure(400, "invalid_request", "startUrl is not a URL");
    }
    if (parsed.protocol !== "https:") throw new OAuthFailure(400, "invalid_request", "startUrl must be https");
    const code: SimDeviceCode = {
      deviceCode: token("sim-device-code"),
      userCode: userCodeText(),
      clientId: client.clientId,
      startUrl,
      state: "pending",
      createdAt: performance.now(),
      intervalSeconds: interval,
      lastSeenAt: performance.now(),
    };
    deviceCodes.set(code.deviceCode, code);
    for (const waiter of userCodeWaiters.splice(0)) waiter(code.userCode);
    return {
      deviceCode: code.deviceCode,
      userCode: code.userCode,
      verificationUri: `${base}/device`,
      verificationUriComplete: `${base}/device?user_code=${encodeURIComponent(code.userCode)}`,
      expiresIn,
      interval,
    };
  }

  function issueTokens(clientId: string): Record<string, unknown> {
    const accessToken = token("sim-access-token");
    const refreshToken = token("sim-refresh-token");
    accessTokens.add(accessToken);
    issuedAccessTokens.push(accessToken);
    refreshTokens.set(refreshToken, { clientId, valid: true });
    return { accessToken, refreshToken, expiresIn: accessTokenTtl, tokenType: "Bearer" };
  }

  function pollDevice(client: SimClient, body: Record<string, unknown>): unknown {
    const deviceCode = requireString(body, "deviceCode");
    const code = deviceCodes.get(deviceCode);
    if (!code || code.clientId !== client.clientId) throw new OAuthFailure(400, "invalid_grant", "Invalid device code provided");
    const at = performance.now();
    const requiredMs = code.intervalSeconds * secondMs;
    const gapMs = code.lastPollAt === undefined ? undefined : at - code.lastPollAt;
    const sinceLast = at - code.lastSeenAt;
    code.lastPollAt = at;
    code.lastSeenAt = at;
    const answer = (result: string) => {
      polls.push({ userCode: code.userCode, gapMs, requiredMs, answer: result });
      // Waiters run after this answer is sent, so a test that approves now affects the next poll.
      const ready = pollWaiters.filter((w) => polls.length >= w.count);
      for (const waiter of ready) pollWaiters.splice(pollWaiters.indexOf(waiter), 1);
      setImmediate(() => ready.forEach((w) => w.resolve()));
    };
    if (code.state === "pending" && at - code.createdAt >= expiresIn * secondMs) code.state = "expired";
    if (code.state === "expired") {
      answer("expired_token");
      throw new OAuthFailure(400, "expired_token", "Device code has expired");
    }
    if (code.state === "consumed") {
      answer("invalid_grant");
      throw new OAuthFailure(400, "invalid_grant", "Device code has already been used");
    }
    // 1 ms of slack: Node timers count whole milliseconds of a loop clock that can lag the real one.
    if (sinceLast < requiredMs - 1) {
      // RFC 8628 §3.5: a client that polls too fast is told to slow down and must add 5 s.
      pollViolations++;
      code.intervalSeconds += 5;
      answer("slow_down");
      throw new OAuthFailure(400, "slow_down", "Client is polling too quickly");
    }
    if (code.state === "denied") {
      answer("access_denied");
      throw new OAuthFailure(400, "access_denied", "The user denied the authorization request");
    }
    if (code.state === "pending") {
      if (slowDownPending) {
        slowDownPending = false;
        code.intervalSeconds += 5;
        answer("slow_down");
        throw new OAuthFailure(400, "slow_down", "Client is polling too quickly");
      }
      answer("authorization_pending");
      throw new OAuthFailure(400, "authorization_pending", "Authorization is still pending");
    }
    code.state = "consumed";
    answer("approved");
    return issueTokens(client.clientId);
  }

  function refresh(client: SimClient, body: Record<string, unknown>): unknown {
    const refreshToken = requireString(body, "refreshToken");
    refreshCount++;
    const record = refreshTokens.get(refreshToken);
    if (!record || !record.valid || record.clientId !== client.clientId) throw new OAuthFailure(400, "invalid_grant", "Invalid refresh token provided");
    const tokens = issueTokens(client.clientId);
    if (rotate) {
      record.valid = false;
      return tokens;
    }
    refreshTokens.delete(tokens.refreshToken as string);
    const { refreshToken: _dropped, ...rest } = tokens;
    void _dropped;
    return rest;
  }

  function tokenEndpoint(body: Record<string, unknown>): unknown {
    const client = authenticateClient(body);
    const grantType = requireString(body, "grantType");
    if (grantType === DEVICE_GRANT) return pollDevice(client, body);
    if (grantType === "refresh_token") return refresh(client, body);
    throw new OAuthFailure(400, "unsupported_grant_type", `Unsupported grant type ${grantType}`);
  }

  function externalIssue(): { accessToken: string; refreshToken: string } {
    const accessToken = token("sim-external-access");
    const refreshToken = token("sim-external-refresh");
    externalAccessTokens.add(accessToken);
    externalRefreshTokens.set(refreshToken, true);
    return { accessToken, refreshToken };
  }

  /** An OAuth token endpoint as identity providers run it: form-encoded in, snake_case JSON out, `{"error"}` on refusal. */
  function externalTokenEndpoint(req: IncomingMessage, text: string, record: SimRecordedOidcRequest): { status: number; body: unknown } {
    const refuse = (status: number, error: string, description: string) => {
      record.error = error;
      return { status, body: { error, error_description: description } };
    };
    if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return refuse(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    const form = new URLSearchParams(text);
    record.body = Object.fromEntries(form);
    if (form.get("grant_type") !== "refresh_token") return refuse(400, "unsupported_grant_type", "Only refresh_token is accepted here");
    if (form.get("client_id") !== externalClientId) return refuse(401, "invalid_client", "Unknown client");
    externalRefreshCount++;
    const presented = form.get("refresh_token") ?? "";
    if (externalRefreshTokens.get(presented) !== true) return refuse(400, "invalid_grant", "The refresh token is invalid or expired");
    const issued = externalIssue();
    if (rotate) externalRefreshTokens.set(presented, false);
    else externalRefreshTokens.delete(issued.refreshToken);
    // Identity providers differ in whether expires_in is a number or a string; this one sends a string.
    return { status: 200, body: { access_token: issued.accessToken, token_type: "Bearer", expires_in: String(accessTokenTtl), ...(rotate ? { refresh_token: issued.refreshToken } : {}) } };
  }

  // Form actions are relative so the page also works where a proxy serves it under a prefix (code-server's /proxy/<port>/).
  function devicePage(userCode: string): string {
    const code = userCode ? [...deviceCodes.values()].find((d) => d.userCode === userCode) : undefined;
    const state = code ? code.state : "unknown";
    return `<!doctype html><html><head><title>OIDC simulator: authorize request</title></head><body>
<h1>Authorize request</h1>
<p>Code: <strong id="user-code">${escapeHtml(userCode)}</strong></p>
<p id="state">State: ${escapeHtml(state)}</p>
<form method="post" action="device/approve"><input type="hidden" name="user_code" value="${escapeHtml(userCode)}"><button id="approve" type="submit">Approve</button></form>
<form method="post" action="device/deny"><input type="hidden" name="user_code" value="${escapeHtml(userCode)}"><button id="deny" type="submit">Deny</button></form>
</body></html>`;
  }

  function sendJson(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  function sendFailure(res: ServerResponse, failure: OAuthFailure): void {
    const exception = EXCEPTION_NAMES[failure.error] ?? "InternalServerException";
    const body =
      errorShape === "oauth"
        ? { error: failure.error, error_description: failure.description }
        : { __type: `com.amazonaws.ssooidc#${exception}`, message: failure.description };
    res.writeHead(failure.status, { "content-type": "application/json", "x-amzn-errortype": `${exception}:` });
    res.end(JSON.stringify(body));
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  async function handle(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
    const url = new URL(req.url ?? "/", base);
    const path = url.pathname;
    const method = req.method ?? "GET";
    const text = await readBody(req);

    if (method === "GET" && path === "/device") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(devicePage(url.searchParams.get("user_code") ?? ""));
      return;
    }
    if (method === "POST" && (path === "/device/approve" || path === "/device/deny")) {
      const userCode = new URLSearchParams(text).get("user_code") ?? "";
      try {
        if (path === "/device/approve") simulator.approve(userCode);
        else simulator.deny(userCode);
      } catch {
        res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
        res.end(`<!doctype html><p id="result">Unknown code ${escapeHtml(userCode)}</p>`);
        return;
      }
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><title>OIDC simulator</title><p id="result">${path.endsWith("approve") ? "Request approved" : "Request denied"}. You can close this window.</p>`);
      return;
    }

    let body: unknown;
    const record: SimRecordedOidcRequest = { method, path, body: undefined, status: 0 };
    requests.push(record);
    const queued = injected.get(path);
    if (queued && queued.length > 0) {
      const next = queued.shift()!;
      record.status = next.status;
      sendJson(res, next.status, next.body);
      return;
    }
    if (method === "POST" && path === "/idp/oauth2/token") {
      const answer = externalTokenEndpoint(req, text, record);
      record.status = answer.status;
      sendJson(res, answer.status, answer.body);
      return;
    }
    try {
      if (method !== "POST") throw new OAuthFailure(404, "not_found", `No route ${method} ${path}`);
      if (!(req.headers["content-type"] ?? "").includes("application/json")) throw new OAuthFailure(400, "invalid_request", "Content-Type must be application/json");
      try {
        body = JSON.parse(text);
      } catch {
        throw new OAuthFailure(400, "invalid_request", "Body is not JSON");
      }
      record.body = body;
      if (!isRecord(body)) throw new OAuthFailure(400, "invalid_request", "Body must be an object");
      let result: unknown;
      if (path === "/client/register") result = register(body);
      else if (path === "/device_authorization") result = deviceAuthorization(body, base);
      else if (path === "/token") result = tokenEndpoint(body);
      else throw new OAuthFailure(404, "not_found", `No route ${method} ${path}`);
      record.status = 200;
      sendJson(res, 200, result);
    } catch (error) {
      const failure = error instanceof OAuthFailure ? error : new OAuthFailure(500, "server_error", String(error));
      record.status = failure.status;
      record.error = failure.error;
      sendFailure(res, failure);
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res, base).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: "server_error", error_description: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const simulator: OidcSimulator = {
    url: base,
    externalIdp: {
      issuerUrl: `${base}/idp`,
      tokenEndpoint: `${base}/idp/oauth2/token`,
      clientId: externalClientId,
      signIn: externalIssue,
      revokeRefreshTokens() {
        for (const t of externalRefreshTokens.keys()) externalRefreshTokens.set(t, false);
      },
      isValidAccessToken: (t) => externalAccessTokens.has(t),
      get refreshCount() {
        return externalRefreshCount;
      },
      get currentRefreshTokens() {
        return [...externalRefreshTokens.entries()].filter(([, valid]) => valid).map(([t]) => t);
      },
    },
    approve(userCode) {
      const code = findCode(userCode);
      if (code.state === "pending") code.state = "approved";
    },
    deny(userCode) {
      const code = findCode(userCode);
      if (code.state === "pending") code.state = "denied";
    },
    expire(userCode) {
      findCode(userCode).state = "expired";
    },
    slowDownOnce() {
      slowDownPending = true;
    },
    revokeRefreshTokens() {
      for (const record of refreshTokens.values()) record.valid = false;
    },
    revokeClients() {
      for (const client of clients.values()) client.revoked = true;
    },
    failNext(path, status, body) {
      const list = injected.get(path) ?? [];
      list.push({ status, body });
      injected.set(path, list);
    },
    waitForUserCode() {
      return new Promise((resolve) => userCodeWaiters.push(resolve));
    },
    waitForPolls(count) {
      if (polls.length >= count) return Promise.resolve();
      return new Promise((resolve) => pollWaiters.push({ count, resolve }));
    },
    isValidAccessToken(t) {
      return accessTokens.has(t);
    },
    requests,
    polls,
    get pollViolations() {
      return pollViolations;
    },
    get registerCount() {
      return registerCount;
    },
    get refreshCount() {
      return refreshCount;
    },
    issuedAccessTokens,
    get currentRefreshTokens() {
      return [...refreshTokens.entries()].filter(([, r]) => r.valid).map(([t]) => t);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  return simulator;
}

// Standalone: `node out/test/sim/oidcSimulator.js [--port N] [--interval S]` serves until stopped, for manual and UI tests.
// The bundler inlines this file into tests, where `require.main === module` holds too; the script name tells them apart.
if (require.main === module && /oidcSimulator\.js$/.test(process.argv[1] ?? "")) {
  const argument = (name: string): number | undefined => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? Number(process.argv[index + 1]) : undefined;
  };
  void startOidcSimulator({ port: argument("--port"), interval: argument("--interval") ?? 1 }).then((sim) => {
    process.stdout.write(`${JSON.stringify({ oidcEndpoint: sim.url })}\n`);
    const stop = () => void sim.close().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
