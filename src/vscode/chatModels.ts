// The entries VS Code's model picker lists for Kiro's catalog: one per model, its thinking effort as the model's configuration (docs/vscode-chat.md).
import type * as vscode from "vscode";
import { contextLabel, creditsLabel } from "../kiro/catalog/modelLabels";
import type { KiroModelInfo } from "../kiro/catalog/modelInfo";
import type { ThinkingLevel } from "../kiro/types";

/** The configuration property VS Code's picker shows as "Thinking Effort" (the name Copilot's own providers use). */
export const EFFORT_PROPERTY = "reasoningEffort";
/** The effort value that asks for no thinking. */
export const THINKING_OFF = "off";
/** Suffix of the ids the picker listed before efforts (`claude-sonnet-4-5-thinking`); they still resolve, thinking on. */
export const THINKING_SUFFIX = "-thinking";
/** Efforts offered to a model that thinks through prompt tags (no schema of its own), as pi's levels. */
const TAG_EFFORTS: readonly ThinkingLevel[] = ["low", "medium", "high"];

/** A Kiro model as VS Code lists it; `kiroModelId` is the id handed to the Kiro core. */
export interface KiroChatModelInformation extends vscode.LanguageModelChatInformation {
  readonly kiroModelId: string;
  /** The efforts the model's configuration offers ("off" included where thinking may be off); empty for a model that does not think. */
  readonly efforts: readonly string[];
  /** The effort used when the person chose none. */
  readonly defaultEffort?: string;
}

/** What VS Code ≥ 1.107 reads of a model beyond the finalized fields; set only where the running VS Code has them. */
interface NewerModelFields {
  configurationSchema?: { properties: Record<string, Record<string, unknown>> };
  isUserSelectable?: boolean;
  category?: { label: string; order: number };
  statusIcon?: unknown;
  warningText?: Record<string, string>;
  maxContextWindowTokens?: number;
  pricing?: string;
  multiplierNumeric?: number;
}

/** The account's state the entries show (docs/vscode-chat.md#what-a-kiro-model-shows-in-the-chat-view). */
export interface ChatModelStatus {
  /** Nobody is signed in: the entries are the built-in list, marked with a sign-in icon and text. */
  signedOut?: boolean;
  /** Kiro refused an answer because the quota is used up: its words. */
  quotaUsedUp?: string;
  /** The usage call said most of the period's credits are used (NEAR_QUOTA_PERCENT or more): a line saying how much. */
  quotaNear?: string;
  /** Makes a VS Code ThemeIcon (absent in tests under plain node). */
  icon?: (id: string) => unknown;
  /** False where VS Code does not show `warningText` (before 1.133 as read): the warnings then lead the tooltip. */
  showsWarningText?: boolean;
}

/** From this share of the period's credits used on, the entries warn that the quota is near. */
export const NEAR_QUOTA_PERCENT = 90;

/** What the entries say to a person who is not signed in. */
export const SIGN_IN_WARNING = 'Not signed in to Kiro. Sign in with "Kiro: Sign In" (the Kiro item in the status bar, or the command palette) to use this model.';

/** The quota line for a usage answer at or above NEAR_QUOTA_PERCENT with credits left; undefined otherwise. */
export function nearQuotaWarning(usage: { used: number; limit: number; percentUsed: number; remaining: number; resetDate?: string; unit?: string }): string | undefined {
  if (usage.limit <= 0 || usage.remaining <= 0 || usage.percentUsed < NEAR_QUOTA_PERCENT) return undefined;
  const units = `${usage.unit ?? "credit"}s`;
  const round = (n: number) => Math.round(n * 100) / 100;
  const reset = usage.resetDate ? `, resets on ${usage.resetDate.slice(0, 10)}` : "";
  return `Kiro quota nearly used up: ${Math.floor(usage.percentUsed)}% of this period's ${units} used (${round(usage.used)} of ${round(usage.limit)}, ${round(usage.remaining)} left${reset}).`;
}

/** The icon and warning lines an entry carries for `status`. */
function statusFields(status: ChatModelStatus): { statusIcon?: unknown; warnings: Record<string, string> } {
  const warnings: Record<string, string> = {};
  let icon: string | undefined;
  if (status.signedOut) {
    warnings.signIn = SIGN_IN_WARNING;
    icon = "account";
  }
  if (status.quotaUsedUp) {
    warnings.quota = status.quotaUsedUp;
    icon ??= "warning";
  } else if (status.quotaNear) {
    warnings.quota = status.quotaNear;
  }
  return { ...(icon && status.icon ? { statusIcon: status.icon(icon) } : {}), warnings };
}

const EFFORT_LABELS: Readonly<Record<string, string>> = {
  off: "Off",
  none: "None",
  minimal: "Minimal",
  low: "Low",
  medium: "Medium",
  high: "High",
  xhigh: "Extra High",
  max: "Max",
};

function effortLabel(effort: string): string {
  return EFFORT_LABELS[effort] ?? effort.charAt(0).toUpperCase() + effort.slice(1);
}

/** The efforts a model offers and the one it starts with; none for a model that does not think. */
export function modelEfforts(info: KiroModelInfo): { efforts: string[]; defaultEffort?: string } {
  if (!info.reasoning || info.kiroId === "auto") return { efforts: [] };
  const shape = info.nativeThinkingShape;
  let thinking: string[];
  if (info.nativeThinking && shape?.effortAt && shape.efforts.length > 0) thinking = shape.efforts.filter((e) => e !== "none");
  else if (info.kiroId.startsWith("claude")) thinking = [...TAG_EFFORTS];
  else return { efforts: [] };
  // Thinking through tags is always optional; native thinking where the schema lets it be off.
  const mayBeOff = !info.forceThinking && (!info.nativeThinking || info.thinkingOptional === true || !shape);
  const efforts = mayBeOff ? [THINKING_OFF, ...thinking] : thinking;
  const defaultEffort = info.defaultEffort && efforts.includes(info.defaultEffort) ? info.defaultEffort : mayBeOff ? THINKING_OFF : efforts.includes("medium") ? "medium" : efforts[0];
  return { efforts, defaultEffort };
}

/** The pi level a picked effort stands for (`max` is above pi's scale, so xhigh), or undefined for off. */
export function effortLevel(effort: string | undefined): ThinkingLevel | undefined {
  if (effort === undefined || effort === THINKING_OFF || effort === "none") return undefined;
  if (effort === "max") return "xhigh";
  return (["minimal", "low", "medium", "high", "xhigh"] as const).find((l) => l === effort) ?? "medium";
}

/**
 * The effort a request runs with: the picker's choice when the model offers it, "medium" for an old `-thinking` id
 * picked before efforts existed (the level its "(Thinking)" entry used), else the model's default.
 */
export function requestEffort(model: Pick<KiroChatModelInformation, "efforts" | "defaultEffort" | "kiroModelId">, configuration: unknown): string | undefined {
  const chosen = typeof configuration === "object" && configuration !== null ? (configuration as Record<string, unknown>)[EFFORT_PROPERTY] : undefined;
  if (typeof chosen === "string" && model.efforts.includes(chosen)) return chosen;
  if (model.kiroModelId.endsWith(THINKING_SUFFIX)) return model.efforts.includes("medium") ? "medium" : model.efforts.find((e) => e !== THINKING_OFF);
  return model.defaultEffort;
}

/** One Kiro model → its entry in VS Code's picker. */
export function chatModelEntry(info: KiroModelInfo, region: string, status: ChatModelStatus = {}): KiroChatModelInformation {
  const imageInput = info.input.includes("image");
  const maxOutputTokens = Math.min(info.maxTokens, info.contextWindow);
  const { efforts, defaultEffort } = modelEfforts(info);
  const credits = creditsLabel(info);
  const { statusIcon, warnings } = statusFields(status);
  const warningLines = Object.values(warnings);
  const tooltip = [
    ...(status.showsWarningText === false ? warningLines : []),
    `${info.name}, served by Kiro (AWS) in ${region}.`,
    info.description,
    `${contextLabel(info.contextWindow)} context${imageInput ? ", images" : ""}, tools${efforts.length > 0 ? ", thinking" : ""}.`,
    credits ? `${credits} per request.` : undefined,
  ]
    .filter(Boolean)
    .join(" ");
  const newer: NewerModelFields = {
    isUserSelectable: true,
    category: { label: "Kiro", order: 50 },
    maxContextWindowTokens: info.contextWindow,
  };
  // VS Code shows `pricing` beside the detail only when `multiplierNumeric` is set too.
  if (credits && info.creditMultiplier !== undefined) {
    newer.pricing = credits;
    newer.multiplierNumeric = info.creditMultiplier;
  }
  if (efforts.length > 1) {
    newer.configurationSchema = {
      properties: {
        [EFFORT_PROPERTY]: {
          type: "string",
          title: "Thinking Effort",
          description: "How much the model thinks before it answers (Kiro sends it as the model's thinking effort).",
          enum: efforts,
          enumItemLabels: efforts.map(effortLabel),
          default: defaultEffort,
          group: "navigation",
        },
      },
    };
  }
  if (warningLines.length > 0 && status.showsWarningText !== false) newer.warningText = warnings;
  if (statusIcon !== undefined) newer.statusIcon = statusIcon;
  return {
    id: info.id,
    name: info.name,
    family: info.kiroId,
    version: info.kiroId,
    detail: `Kiro (${region})`,
    tooltip,
    maxInputTokens: Math.max(1, info.contextWindow - maxOutputTokens),
    maxOutputTokens,
    // Every model Kiro serves takes toolSpecification; Kiro's own agent relies on it.
    capabilities: { toolCalling: true, imageInput },
    kiroModelId: info.id,
    efforts,
    ...(defaultEffort !== undefined ? { defaultEffort } : {}),
    ...newer,
  };
}

/**
 * The entry a saved `-thinking` id stands for: the model's own entry under the old id, hidden from the picker, so a
 * `chat.utilityModel` or a pinned model written before efforts still finds it.
 */
export function legacyThinkingEntry(entry: KiroChatModelInformation): KiroChatModelInformation | undefined {
  if (!entry.efforts.some((e) => e !== THINKING_OFF) || entry.id.endsWith(THINKING_SUFFIX)) return undefined;
  const { configurationSchema: _schema, ...rest } = entry as KiroChatModelInformation & NewerModelFields;
  return { ...rest, id: `${entry.id}${THINKING_SUFFIX}`, kiroModelId: `${entry.id}${THINKING_SUFFIX}`, isUserSelectable: false } as KiroChatModelInformation;
}
