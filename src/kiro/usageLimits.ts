// The getUsageLimits call: how many Kiro credits are used of how many, when they reset, the plan, and the account's email.
import { kiroRequestHeaders, resolveEndpoint, usageLimitsUrl, type KiroServiceCallOptions } from "./endpoints";
import { abortedError, classifyHttpError, KiroError, networkError, parseServiceErrorBody } from "./errors";

export type UsageLimitsOptions = KiroServiceCallOptions;

export interface UsageAllowance {
  used: number;
  limit: number;
  /** ISO 8601, when known. */
  expiresAt?: string;
  status?: string;
}

export interface UsageLimits {
  /** Credits (or requests) used this period, free trial and active bonuses included. */
  used: number;
  /** Credits available this period, free trial and active bonuses included. */
  limit: number;
  remaining: number;
  /** 0–100, rounded to one decimal. */
  percentUsed: number;
  /** ISO 8601 date-time of the next reset, when the service says. */
  resetDate?: string;
  /** `subscriptionInfo.subscriptionTitle`, e.g. "KIRO FREE". */
  plan?: string;
  /** Present because the request asks `isEmailRequired=true` (some Identity Center accounts have none). */
  email?: string;
  /** The unit of `used`/`limit` when given, e.g. "credit". */
  unit?: string;
  /** The plan's own allowance, without trial or bonuses. */
  base: UsageAllowance;
  freeTrial?: UsageAllowance;
  bonuses: UsageAllowance[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `currentUsageWithPrecision` when present (fractional credits), else the integer field. */
function amount(record: Record<string, unknown>, key: "currentUsage" | "usageLimit"): number {
  const precise = record[`${key}WithPrecision`];
  if (typeof precise === "number" && Number.isFinite(precise)) return precise;
  const plain = record[key];
  return typeof plain === "number" && Number.isFinite(plain) ? plain : 0;
}

/** The service serialises timestamps as epoch seconds; some clients see ISO text. */
function isoDate(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return new Date(value < 1e12 ? value * 1000 : value).toISOString();
  if (typeof value === "string" && value) {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
  }
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : undefined;
}

function allowance(record: Record<string, unknown>, expiryKey: string, statusKey: string): UsageAllowance {
  const result: UsageAllowance = { used: amount(record, "currentUsage"), limit: amount(record, "usageLimit") };
  const expiresAt = isoDate(record[expiryKey]);
  if (expiresAt) result.expiresAt = expiresAt;
  const status = str(record[statusKey]);
  if (status) result.status = status;
  return result;
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

/** Reads getUsageLimits' JSON (KIRO_PROTOCOL.md §1); picks the AGENTIC_REQUEST row, or the first. */
export function parseUsageLimits(body: unknown): UsageLimits {
  if (!isRecord(body)) throw new KiroError("bad-request", "Kiro's usage answer is not a JSON object. Try again later.");
  const rows = Array.isArray(body.usageBreakdownList) ? body.usageBreakdownList.filter(isRecord) : [];
  const row = rows.find((r) => r.resourceType === "AGENTIC_REQUEST") ?? rows[0];
  if (!row) throw new KiroError("bad-request", "Kiro's usage answer has no usage breakdown. Try again later.");

  const base = allowance(row, "nextDateReset", "status");
  delete base.expiresAt;
  const trialRecord = isRecord(row.freeTrialInfo) ? row.freeTrialInfo : undefined;
  const freeTrial = trialRecord ? allowance(trialRecord, "freeTrialExpiry", "freeTrialStatus") : undefined;
  const bonuses = (Array.isArray(row.bonuses) ? row.bonuses.filter(isRecord) : []).map((b) => allowance(b, "expiresAt", "status"));

  const active = (a: UsageAllowance | undefined): a is UsageAllowance => a !== undefined && (a.status === undefined || a.status.toUpperCase() === "ACTIVE");
  const extras = [freeTrial, ...bonuses].filter(active);
  const used = round(base.used + extras.reduce((sum, a) => sum + a.used, 0));
  const limit = round(base.limit + extras.reduce((sum, a) => sum + a.limit, 0));
  const result: UsageLimits = {
    used,
    limit,
    remaining: round(Math.max(0, limit - used)),
    percentUsed: limit > 0 ? Math.round((used / limit) * 1000) / 10 : 0,
    base,
    bonuses,
  };
  const resetDate = isoDate(row.nextDateReset) ?? isoDate(body.nextDateReset);
  if (resetDate) result.resetDate = resetDate;
  const plan = isRecord(body.subscriptionInfo) ? str(body.subscriptionInfo.subscriptionTitle) : undefined;
  if (plan) result.plan = plan;
  const email = isRecord(body.userInfo) ? str(body.userInfo.email) : undefined;
  if (email) result.email = email;
  const unit = str(row.unit);
  if (unit) result.unit = unit;
  if (freeTrial) result.freeTrial = freeTrial;
  return result;
}

/**
 * `GET /getUsageLimits`. Rejects with a KiroError: `auth` (403/401: sign in again), `suspended`,
 * `throttled`, `server`, `network`, `aborted`, `bad-request` (an answer it cannot read).
 */
export async function getUsageLimits(options: UsageLimitsOptions): Promise<UsageLimits> {
  const endpoint = resolveEndpoint({ region: options.region, endpoint: options.endpoint, profileArn: options.profileArn, env: options.env });
  const url = usageLimitsUrl(endpoint);
  const headers = kiroRequestHeaders(options.accessToken, endpoint, { accept: "application/json" });
  delete headers["content-type"];
  const secrets = [options.accessToken];
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? fetch)(url, { method: "GET", headers, signal: options.signal });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw abortedError();
    throw networkError(error, secrets);
  }
  if (!response.ok) {
    throw classifyHttpError(response.status, parseServiceErrorBody(text, response.headers.get("x-amzn-errortype")), { modelId: "", region: endpoint.region, secrets });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new KiroError("bad-request", `Kiro's usage answer (${response.status}) is not JSON. Check the endpoint setting (${endpoint.baseUrl}).`, { status: response.status });
  }
  return parseUsageLimits(body);
}
