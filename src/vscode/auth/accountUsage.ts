// What the account picker says about usage (used / limit, reset date, trial and bonuses, plan); pure, so it is unit-tested without VS Code.
import type { UsageAllowance, UsageLimits } from "../../kiro/service/usageLimits";

export interface UsageLine {
  label: string;
  description?: string;
  detail?: string;
}

function formatAmount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
}

function formatDate(iso: string, locale: string | undefined): string | undefined {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms).toLocaleDateString(locale, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

function isActive(allowance: UsageAllowance): boolean {
  return allowance.status === undefined || allowance.status.toUpperCase() === "ACTIVE";
}

function allowanceLine(icon: string, name: string, allowance: UsageAllowance, ends: string, locale: string | undefined): UsageLine {
  const date = allowance.expiresAt ? formatDate(allowance.expiresAt, locale) : undefined;
  return {
    label: `${icon} ${name}: ${formatAmount(allowance.used)} / ${formatAmount(allowance.limit)}`,
    ...(date ? { detail: `${ends} ${date}` } : {}),
  };
}

/** Quick-pick rows for `usage`: the total used of the limit (with when it resets), active trial and bonuses, then the plan. */
export function usageLines(usage: UsageLimits, locale?: string): UsageLine[] {
  const unit = usage.unit ? `${usage.unit[0]!.toUpperCase()}${usage.unit.slice(1)}s` : "Credits";
  const reset = usage.resetDate ? formatDate(usage.resetDate, locale) : undefined;
  const lines: UsageLine[] = [
    {
      label: `$(graph) ${unit}: ${formatAmount(usage.used)} / ${formatAmount(usage.limit)} used`,
      description: `${formatAmount(usage.percentUsed)}%`,
      ...(reset ? { detail: `Resets on ${reset}` } : {}),
    },
  ];
  if (usage.freeTrial && isActive(usage.freeTrial)) lines.push(allowanceLine("$(gift)", "Free trial", usage.freeTrial, "Ends on", locale));
  for (const bonus of usage.bonuses.filter(isActive)) lines.push(allowanceLine("$(gift)", "Bonus", bonus, "Expires on", locale));
  if (usage.plan) lines.push({ label: `$(star-empty) Plan: ${usage.plan}` });
  return lines;
}

/** The row shown instead of usage when it could not be fetched. */
export function usageFailureLine(message: string): UsageLine {
  return { label: "$(warning) Usage is not available right now", detail: message };
}
