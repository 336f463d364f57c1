// A stand-in for the Kiro social sign-in service (`POST /refreshToken`) on loopback, for Google/GitHub sessions made by the Kiro IDE or kiro-cli.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface KiroAuthSimulatorOptions {
  /** Seconds an access token lives (default 3600). */
  accessTokenTtl?: number;
  /** A refresh returns a new refresh token and retires the old one (default true). */
  rotateRefreshTokens?: boolean;
  profileArn?: string;
}

export interface KiroAuthSimulator {
  url: string;
  /** Makes a refresh token known to the service (as if a Google/GitHub sign-in had issued it). */
  addRefreshToken(refreshToken: string): void;
  revokeRefreshTokens(): void;
  isValidAccessToken(token: string): boolean;
  readonly refreshCount: number;
  readonly currentRefreshTokens: string[];
  close(): Promise<void>;
}

export async function startKiroAuthSimulator(options: KiroAuthSimulatorOptions = {}): Promise<KiroAuthSimulator> {
  const ttl = options.accessTokenTtl ?? 3600;
  const rotate = options.rotateRefreshTokens ?? true;
  const refreshTokens = new Map<string, boolean>();
  const accessTokens = new Set<string>();
  let refreshCount = 0;

  function send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== "POST" || req.url !== "/refreshToken") return send(res, 404, { message: "Not found" });
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, { message: "Body is not JSON" });
    }
    const refreshToken = (body as { refreshToken?: unknown } | null)?.refreshToken;
    if (typeof refreshToken !== "string" || !refreshToken) return send(res, 400, { message: "refreshToken is required" });
    refreshCount++;
    if (refreshTokens.get(refreshToken) !== true) return send(res, 401, { message: "Invalid refresh token" });
    const accessToken = `sim-social-access-${randomBytes(12).toString("base64url")}`;
    accessTokens.add(accessToken);
    const answer: Record<string, unknown> = { accessToken, expiresIn: ttl };
    if (rotate) {
      const next = `sim-social-refresh-${randomBytes(12).toString("base64url")}`;
      refreshTokens.set(refreshToken, false);
      refreshTokens.set(next, true);
      answer.refreshToken = next;
    }
    if (options.profileArn) answer.profileArn = options.profileArn;
    send(res, 200, answer);
  }

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    addRefreshToken(token) {
      refreshTokens.set(token, true);
    },
    revokeRefreshTokens() {
      for (const token of refreshTokens.keys()) refreshTokens.set(token, false);
    },
    isValidAccessToken(token) {
      return accessTokens.has(token);
    },
    get refreshCount() {
      return refreshCount;
    },
    get currentRefreshTokens() {
      return [...refreshTokens.entries()].filter(([, valid]) => valid).map(([token]) => token);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
