// The getUsageLimits call: how many Kiro credits are used of how many, when they reset, the plan, and the account's email.
import { isRecord } from "../../util/json";
import { usageLimitsUrl, type KiroRoute } from "./endpoints";
import { KiroError } from "../errors";
import { callKiroJson, type ServiceCallAuth } from "./serviceCall";

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

/** Reads getUsageLimits' JSON (docs/kiro-protocol.md#usage-limits); picks the AGENTIC_REQUEST row (q host) or the CREDIT row (management host), else the first. */
export function parseUsageLimits(body: unknown): UsageLimits {
  if (!isRecord(body)) throw new KiroError("bad-request", "Kiro's usage answer is not a JSON object. Try again later.");
  const rows = Array.isArray(body.usageBreakdownList) ? body.usageBreakdownList.filter(isRecord) : [];
  const row = rows.find((r) => r.resourceType === "AGENTIC_REQUEST" || r.resourceType === "CREDIT") ?? rows[0];
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

/** A usage call: the route (generation, region, endpoint, profile) and the token. */
export interface UsageLimitsOptions extends ServiceCallAuth {
  route: KiroRoute;
}

/**
 * getUsageLimits / Get-Usage-Limits on the route's generation. Rejects with a KiroError: `auth` (403/401: sign in
 * again), `suspended`, `throttled`, `server`, `network`, `aborted`, `bad-request` (an answer it cannot read).
 */
export async function getUsageLimits(o: UsageLimitsOptions): Promise<UsageLimits> {
  return parseUsageLimits(await callKiroJson("usage", usageLimitsUrl(o.route), { method: "GET" }, o, { modelId: "", region: o.route.region }));
}
