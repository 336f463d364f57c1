// The shape of a stored Kiro sign-in and the validating parser for what comes back out of storage.
import { isRecord, nonEmptyString } from "../util/json";
import type { SignInSourceId } from "./import/signInSources";

/** How the tokens were obtained, which decides how they are refreshed. */
export type AuthMethod =
  /** AWS Builder ID through the OIDC device flow (start URL https://view.awsapps.com/start). */
  | "builder-id"
  /** IAM Identity Center through the OIDC device flow with an organisation's start URL. */
  | "identity-center"
  /** Google/GitHub sign-in made by the Kiro IDE or kiro-cli; refreshed at the Kiro auth service. */
  | "social"
  /**
   * A sign-in through the organisation's own identity provider (Entra ID, Okta, ...) made by kiro-cli or the Kiro
   * IDE; refreshed at that provider's token endpoint, and Kiro requests carry `TokenType: EXTERNAL_IDP`.
   */
  | "external-idp"
  /**
   * A Kiro API key (`ksk_…`) the user pasted: sent with `TokenType: API_KEY`, never refreshed, no expiry of its own
   * (docs/kiro-protocol.md#api-keys). The key is the session's access token.
   */
  | "api-key";

/** Where a session came from: signed in here, or imported read-only from one of the sign-in sources (signInSources.ts). */
export type SessionSource = "sign-in" | SignInSourceId;

export const BUILDER_ID_START_URL = "https://view.awsapps.com/start";
export const DEFAULT_OIDC_REGION = "us-east-1";

export const KIRO_SCOPES: readonly string[] = [
  "codewhisperer:completions",
  "codewhisperer:analysis",
  "codewhisperer:conversations",
  "codewhisperer:transformations",
  "codewhisperer:taskassist",
];

/** An OIDC client registration (`/client/register`); needed again for every refresh. */
export interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  /** Epoch milliseconds after which the registration is no longer accepted. */
  expiresAt: number;
  /** OIDC region it was registered in. */
  region: string;
  scopes: string[];
}

/** What refreshing an external identity provider sign-in needs (OAuth refresh grant at the provider, public client). */
export interface ExternalIdentityProvider {
  /** The provider's OAuth token endpoint. */
  tokenEndpoint: string;
  /** The OAuth client id kiro-cli / the Kiro IDE signed in with (a public client: there is no secret). */
  clientId: string;
  /** The provider's issuer; when known, the token endpoint must be on the same host. */
  issuerUrl?: string;
  /** Space-separated scopes, sent with the refresh when the other tool recorded them. */
  scope?: string;
}

export interface KiroSession {
  /** Stable id, unique within one store. */
  id: string;
  method: AuthMethod;
  source: SessionSource;
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds when the access token stops working. */
  expiresAt: number;
  /** Region of the sign-in service (OIDC or Kiro auth), not necessarily the API region. */
  region: string;
  startUrl?: string;
  /** OIDC sessions only. */
  registration?: ClientRegistration;
  /** External identity provider sessions only. */
  externalIdp?: ExternalIdentityProvider;
  /** The Kiro profile requests are made for (`arn:aws:codewhisperer:<region>:<account>:profile/<id>`). */
  profileArn?: string;
  /** Social sign-ins: `Google` or `Github`. */
  provider?: string;
  /** What the user sees in the Accounts menu: an email, "AWS Builder ID", an Identity Center directory. */
  account: string;
  scopes: string[];
  /** Epoch milliseconds of the sign-in or import. */
  createdAt: number;
}

/** Everything kiro-pi keeps under its one secret key. */
export interface StoredAuthState {
  version: 1;
  sessions: KiroSession[];
  /** Registrations kept for the next sign-in even after sign-out, one per OIDC region. */
  registrations: ClientRegistration[];
  /** Fields this version does not know (a newer kiro-pi wrote them), written back as they were; see readAuthState. */
  unknown?: UnknownStoredFields;
}

/** Stored fields a newer kiro-pi added: on the whole value, and per session id. */
export interface UnknownStoredFields {
  state: Record<string, unknown>;
  sessions: Record<string, Record<string, unknown>>;
}

const KNOWN_STATE_KEYS = new Set(["version", "sessions", "registrations"]);
const KNOWN_SESSION_KEYS = new Set<string>([
  "id", "method", "source", "accessToken", "refreshToken", "expiresAt", "region", "startUrl", "registration",
  "externalIdp", "profileArn", "provider", "account", "scopes", "createdAt",
] satisfies (keyof KiroSession)[]);

function unknownFields(value: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  const entries = Object.entries(value).filter(([key]) => !known.has(key));
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

export function emptyAuthState(): StoredAuthState {
  return { version: 1, sessions: [], registrations: [] };
}

export const AUTH_METHODS: readonly AuthMethod[] = ["builder-id", "identity-center", "social", "external-idp", "api-key"];
/** `sign-in` or a sign-in source's id; ids of sources this version does not know (written by a newer one) are kept as they are. */
const SOURCE_ID = /^[a-z][a-z0-9-]{0,40}$/;


const str = nonEmptyString;

function finite(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? [...value] : undefined;
}

function parseExternalIdentityProvider(value: unknown): ExternalIdentityProvider | undefined {
  if (!isRecord(value)) return undefined;
  const tokenEndpoint = str(value.tokenEndpoint);
  const clientId = str(value.clientId);
  if (!tokenEndpoint || !clientId) return undefined;
  const provider: ExternalIdentityProvider = { tokenEndpoint, clientId };
  const issuerUrl = str(value.issuerUrl);
  if (issuerUrl) provider.issuerUrl = issuerUrl;
  const scope = str(value.scope);
  if (scope) provider.scope = scope;
  return provider;
}

export function parseClientRegistration(value: unknown): ClientRegistration | undefined {
  if (!isRecord(value)) return undefined;
  const clientId = str(value.clientId);
  const clientSecret = str(value.clientSecret);
  const expiresAt = finite(value.expiresAt);
  const region = str(value.region);
  const scopes = strings(value.scopes);
  if (!clientId || !clientSecret || expiresAt === undefined || !region || !scopes) return undefined;
  return { clientId, clientSecret, expiresAt, region, scopes };
}

/** The session's optional text fields, kept when they hold a non-empty string. */
const OPTIONAL_TEXT_FIELDS = ["refreshToken", "startUrl", "profileArn", "provider"] as const satisfies readonly (keyof KiroSession)[];

/** A session from storage, or undefined when a required field is missing or of the wrong type. */
export function parseSession(value: unknown): KiroSession | undefined {
  if (!isRecord(value)) return undefined;
  const id = str(value.id);
  const method = AUTH_METHODS.find((m) => m === value.method);
  const source = typeof value.source === "string" && SOURCE_ID.test(value.source) ? (value.source as SessionSource) : undefined;
  const accessToken = str(value.accessToken);
  const expiresAt = finite(value.expiresAt);
  const region = str(value.region);
  const account = str(value.account);
  const scopes = strings(value.scopes);
  const createdAt = finite(value.createdAt);
  if (!id || !method || !source || !accessToken || expiresAt === undefined || !region || !account || !scopes || createdAt === undefined) {
    return undefined;
  }
  const session: KiroSession = { id, method, source, accessToken, expiresAt, region, account, scopes, createdAt };
  for (const key of OPTIONAL_TEXT_FIELDS) {
    const text = str(value[key]);
    if (text) session[key] = text;
  }
  const registration = parseClientRegistration(value.registration);
  if (registration) session.registration = registration;
  const externalIdp = parseExternalIdentityProvider(value.externalIdp);
  if (externalIdp) session.externalIdp = externalIdp;
  return session;
}

/** What storage held, and why part or all of it could not be used (undefined when everything was read). */
export interface ReadAuthState {
  state: StoredAuthState;
  damage?: string;
}

/**
 * Reads what storage returned. Never throws: unreadable text gives an empty state and an invalid entry is dropped,
 * because a broken store must not lock the user out of signing in again. `damage` says what was lost, so the caller can
 * keep the original text (KiroSessionManager keeps it as a backup) before anything overwrites it.
 */
export function readAuthState(text: string | undefined): ReadAuthState {
  if (!text) return { state: emptyAuthState() };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { state: emptyAuthState(), damage: "it is not JSON" };
  }
  if (!isRecord(raw)) return { state: emptyAuthState(), damage: "it is not a kiro-pi sign-in store" };
  if (raw.version !== 1) return { state: emptyAuthState(), damage: `it has version ${JSON.stringify(raw.version) ?? "none"} (a newer kiro-pi may have written it)` };
  const rawSessions: unknown[] = Array.isArray(raw.sessions) ? raw.sessions : [];
  const rawRegistrations: unknown[] = Array.isArray(raw.registrations) ? raw.registrations : [];
  const sessions: KiroSession[] = [];
  const seen = new Set<string>();
  const unknown: UnknownStoredFields = { state: unknownFields(raw, KNOWN_STATE_KEYS) ?? {}, sessions: {} };
  for (const item of rawSessions) {
    const session = parseSession(item);
    if (session && !seen.has(session.id)) {
      seen.add(session.id);
      sessions.push(session);
      const extra = unknownFields(item as Record<string, unknown>, KNOWN_SESSION_KEYS);
      if (extra) unknown.sessions[session.id] = extra;
    }
  }
  const registrations: ClientRegistration[] = [];
  for (const item of rawRegistrations) {
    const registration = parseClientRegistration(item);
    if (registration) registrations.push(registration);
  }
  const lost: string[] = [];
  if (sessions.length < rawSessions.length) lost.push(`${rawSessions.length - sessions.length} of ${rawSessions.length} sessions`);
  if (registrations.length < rawRegistrations.length) lost.push(`${rawRegistrations.length - registrations.length} of ${rawRegistrations.length} client registrations`);
  const state: StoredAuthState = { version: 1, sessions, registrations };
  if (Object.keys(unknown.state).length > 0 || Object.keys(unknown.sessions).length > 0) state.unknown = unknown;
  return lost.length > 0 ? { state, damage: `${lost.join(" and ")} could not be read` } : { state };
}

/** readAuthState without the damage report. */
export function parseAuthState(text: string | undefined): StoredAuthState {
  return readAuthState(text).state;
}

/**
 * What goes into storage. Fields a newer kiro-pi stored and this one does not know go back unchanged (on the whole
 * value, and on each session that is still there), so running an older version beside a newer one loses nothing.
 */
export function serializeAuthState(state: StoredAuthState): string {
  const unknown = state.unknown;
  const sessions = unknown ? state.sessions.map((session) => ({ ...unknown.sessions[session.id], ...session })) : state.sessions;
  return JSON.stringify({ ...unknown?.state, version: 1, sessions, registrations: state.registrations });
}

/** The header Kiro requests carry for sign-ins that need it (docs/kiro-protocol.md#external-idp, #api-keys). */
export const KIRO_TOKEN_TYPE_HEADER = "TokenType";
export type KiroTokenType = "EXTERNAL_IDP" | "API_KEY";

/**
 * The `TokenType` header value Kiro requests made with this sign-in's token need: `EXTERNAL_IDP` for a sign-in through
 * an external identity provider, `API_KEY` for an API key, undefined (send no header) for every other kind. Takes a
 * session or pi's credentials.
 */
export function kiroTokenType(signIn: { method: AuthMethod }): KiroTokenType | undefined {
  if (signIn.method === "external-idp") return "EXTERNAL_IDP";
  return signIn.method === "api-key" ? "API_KEY" : undefined;
}

/** The label shown before anything better (an email) is known. */
export function defaultAccountLabel(method: AuthMethod, startUrl?: string, provider?: string): string {
  switch (method) {
    case "builder-id":
      return "AWS Builder ID";
    case "identity-center": {
      const directory = startUrl ? identityCenterDirectory(startUrl) : undefined;
      return directory ? `IAM Identity Center (${directory})` : "IAM Identity Center";
    }
    case "social":
      return provider ? `Kiro (${provider})` : "Kiro";
    case "external-idp":
      return "Kiro (external identity provider)";
    case "api-key":
      return "Kiro API key";
  }
}

/** `https://my-org.awsapps.com/start` → `my-org`. */
function identityCenterDirectory(startUrl: string): string | undefined {
  try {
    const host = new URL(startUrl).hostname;
    const match = /^([^.]+)\.awsapps\.com$/.exec(host);
    return match ? match[1] : host;
  } catch {
    return undefined;
  }
}

/** True when the registration can still be used for a whole sign-in plus some refreshes. */
export function isRegistrationUsable(registration: ClientRegistration, now: number, region: string, scopes: readonly string[]): boolean {
  const margin = 60 * 60 * 1000;
  return (
    registration.region === region &&
    registration.expiresAt - now > margin &&
    scopes.every((scope) => registration.scopes.includes(scope))
  );
}
