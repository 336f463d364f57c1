// Every setting that shapes a Kiro call, declared once (key, type, environment variable, validation, scope), and the one precedence: the first source with a valid value wins; a malformed one is reported and skipped.
import { trimmedString } from "../util/json";

/** The regions Kiro's API runs in; every other AWS region is served by one of these (see `apiRegionFor`). */
export const API_REGIONS = ["us-east-1", "eu-central-1"] as const;
export type ApiRegion = (typeof API_REGIONS)[number];
export const DEFAULT_API_REGION: ApiRegion = "us-east-1";

/** Kiro's two host generations (docs/kiro-protocol.md#hosts): `q.{region}.amazonaws.com` and `runtime|management.{region}.kiro.dev`. */
export type ApiGeneration = "q" | "runtime";
/** `kiro.api` / `KIRO_API`: a generation, or `auto` (try one, fall back to the other once when its host is missing). */
export type ApiChoice = "auto" | ApiGeneration;
export const API_CHOICES: readonly ApiChoice[] = ["auto", "q", "runtime"];

/** Where a value came from, for log lines that explain a choice. */
export type SettingSource = "setting" | "environment" | "default";

/**
 * Who may set a setting in VS Code. `user`: the user's own settings only (package.json `"scope": "application"`, listed
 * under `restrictedConfigurations`), and never the extension host's environment, which a repository's devcontainer
 * `remoteEnv` can set. `any`: a workspace may set it too, and so may the environment.
 */
export type SettingScope = "user" | "any";

/** What a declaration's check makes of a raw value: the value to use, or why it is refused (one clause, for the log). */
export type Checked<T> = { value: T } | { problem: string };

/** One setting, declared once; the VS Code reader, the environment reader, the change listener and the guide come from it. */
export interface SettingDeclaration<T = unknown> {
  /** The key under `kiro.` in VS Code (`kiro.<key>`), also the name of its manifest entry in package.json. */
  readonly key: string;
  /** The manifest's `type`. */
  readonly type: "string" | "number";
  readonly scope: SettingScope;
  /** Read by pi and plain Node (and by VS Code for `any`-scope settings); none for settings that exist only in VS Code. */
  readonly env?: string;
  /** Used when no source gives a valid value; equals the manifest's `default` (test/unit/settingRegistry.test.ts). */
  readonly default?: T;
  /** Validates a raw value that is set (blank strings never reach it: they mean "not set"). */
  check(raw: unknown): Checked<T>;
}

/** Says a refused value and what is used instead (VS Code: the "Kiro" Output channel; pi: its log). */
export type SettingReport = (message: string) => void;

/** One place a value may come from, in precedence order. */
export interface SettingCandidate {
  source: Exclude<SettingSource, "default">;
  /** Where, for the report: "your user settings", "KIRO_ENDPOINT", "the workspace settings". */
  where: string;
  raw: unknown;
}

/** Declares a setting (an identity function that lets TypeScript infer the value type from `check`). */
export function declareSetting<T>(declaration: SettingDeclaration<T>): SettingDeclaration<T> {
  return declaration;
}

/** Any non-blank text, trimmed; numbers and the like are refused by name. */
export function text(raw: unknown): Checked<string> {
  const value = trimmedString(raw);
  return value === undefined ? { problem: `${JSON.stringify(raw)} is not text` } : { value };
}

/** A string setting whose value matches `pattern`; `explain` says what a valid one looks like. */
export function matching(pattern: RegExp, explain: string): (raw: unknown) => Checked<string> {
  return (raw) => {
    const checked = text(raw);
    if ("problem" in checked) return checked;
    return pattern.test(checked.value) ? checked : { problem: `"${checked.value}" is not ${explain}` };
  };
}

/** A whole number in [min, max], from a VS Code number or the text of an environment variable. */
export function wholeNumber(min: number, max: number): (raw: unknown) => Checked<number> {
  return (raw) => {
    const value = typeof raw === "number" ? raw : typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
    return Number.isInteger(value) && value >= min && value <= max ? { value } : { problem: `${JSON.stringify(raw)} is not a whole number from ${min} to ${max}` };
  };
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** True for this machine's own addresses, the only ones a Kiro token may reach over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * A base URL tokens are sent to: https anywhere, or http to this machine only (a simulator, a local proxy). Returned
 * without a trailing slash. http to another host would carry the bearer or refresh token in the clear.
 */
export function checkEndpoint(raw: unknown): Checked<string> {
  const checked = text(raw);
  if ("problem" in checked) return checked;
  let url: URL;
  try {
    url = new URL(checked.value);
  } catch {
    return { problem: `"${checked.value}" is not a URL` };
  }
  if (url.username || url.password) return { problem: `"${url.host}" must not carry a user name or password in the URL` };
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    return { problem: `"${checked.value}" is http:// to another machine; Kiro tokens go only over https:// (http:// only to 127.0.0.1, ::1 or localhost)` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { problem: `"${checked.value}" is not an https:// URL` };
  return { value: checked.value.replace(/\/+$/, "") };
}

/** The settings the Kiro core reads; `KiroSettings` is what they resolve to. */
export const KIRO_SETTINGS = {
  region: declareSetting({
    key: "region",
    type: "string",
    scope: "any",
    env: "KIRO_REGION",
    default: DEFAULT_API_REGION,
    check: matching(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as us-east-1"),
  }),
  endpoint: declareSetting({ key: "endpoint", type: "string", scope: "user", env: "KIRO_ENDPOINT", default: "", check: checkEndpoint }),
  api: declareSetting({
    key: "api",
    type: "string",
    scope: "any",
    env: "KIRO_API",
    default: "auto" as ApiChoice,
    check: (raw): Checked<ApiChoice> => {
      const lower = trimmedString(raw)?.toLowerCase();
      const choice = API_CHOICES.find((c) => c === lower);
      return choice ? { value: choice } : { problem: `${JSON.stringify(raw)} is not one of ${API_CHOICES.join(", ")}` };
    },
  }),
  profileArn: declareSetting({
    key: "profileArn",
    type: "string",
    scope: "user",
    env: "KIRO_PROFILE_ARN",
    default: "",
    check: matching(/^arn:aws[a-z-]*:codewhisperer:[a-z0-9-]+:\d+:profile\/[A-Za-z0-9]+$/, "a Kiro profile ARN (arn:aws:codewhisperer:<region>:<account>:profile/<id>)"),
  }),
  oidcEndpoint: declareSetting({ key: "oidcEndpoint", type: "string", scope: "user", env: "KIRO_OIDC_ENDPOINT", default: "", check: checkEndpoint }),
  firstTokenTimeoutSeconds: declareSetting({
    key: "firstTokenTimeoutSeconds",
    type: "number",
    scope: "any",
    env: "KIRO_FIRST_TOKEN_TIMEOUT_SECONDS",
    // 0: automatic (90 s, more for large conversations; src/kiro/stream.ts defaultFirstTokenTimeoutMs).
    default: 0,
    check: wholeNumber(0, 3600),
  }),
} as const;

export type KiroSettingName = keyof typeof KIRO_SETTINGS;
type ValueOf<N extends KiroSettingName> = (typeof KIRO_SETTINGS)[N] extends SettingDeclaration<infer T> ? T : never;

/** Values given directly (stream options, tests), ahead of the environment. Blank strings count as not set. */
export type KiroSettingValues = { [N in KiroSettingName]?: unknown };

export interface KiroSettings {
  /** The API region the user or environment asked for; undefined when neither did (then a profile or the sign-in decides). */
  region?: ApiRegion;
  regionSource: SettingSource;
  /** Base URL replacing every Kiro host (simulator, proxy), without a trailing slash. */
  endpoint?: string;
  api: ApiChoice;
  /** A profile ARN the user named; wins over any a sign-in carries or Kiro lists. */
  profileArn?: string;
  /** Base URL replacing `https://oidc.{region}.amazonaws.com` for sign-in and refresh. */
  oidcEndpoint?: string;
  /** Time allowed for the first byte of an answer; undefined: automatic (by conversation size). */
  firstTokenTimeoutMs?: number;
}

type Env = Record<string, string | undefined>;

/** True for a raw value that means "not set": missing, null, or a blank string. */
function unset(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "");
}

/**
 * The precedence, for every setting and every host: the first candidate with a valid value wins; a malformed one is
 * reported with what is used instead and skipped; none left: the declaration's default.
 */
export function settingValue<T>(declaration: SettingDeclaration<T>, candidates: readonly SettingCandidate[], report?: SettingReport): { value?: T; source: SettingSource } {
  const refused: string[] = [];
  let chosen: { value?: T; source: SettingSource; where?: string } | undefined;
  for (const candidate of candidates) {
    if (unset(candidate.raw)) continue;
    const checked = declaration.check(candidate.raw);
    if ("value" in checked) {
      chosen = { value: checked.value, source: candidate.source, where: candidate.where };
      break;
    }
    refused.push(`kiro.${declaration.key} from ${candidate.where}: ${checked.problem}`);
  }
  chosen ??= { value: declaration.default, source: "default" };
  for (const line of refused) report?.(`Ignored ${line}; using ${chosen.where ?? "the default"} instead.`);
  return chosen;
}

/** The environment variable of a declaration as a candidate (none when it has no variable or it is unset). */
export function environmentCandidate(declaration: SettingDeclaration, env: Env): SettingCandidate[] {
  return declaration.env && env[declaration.env] !== undefined ? [{ source: "environment", where: declaration.env, raw: env[declaration.env] }] : [];
}

/**
 * Maps any AWS region to the Kiro API region that serves it. Kiro runs only in us-east-1 and
 * eu-central-1; Identity Center directories elsewhere are served by one of those two (us-*, ap-*, … → us-east-1).
 */
export function apiRegionFor(region: string | undefined): ApiRegion {
  const normalized = region?.trim().toLowerCase();
  if (normalized?.startsWith("eu-")) return "eu-central-1";
  return DEFAULT_API_REGION;
}

/** The region inside a profile ARN; one reading for every layer (src/util/arn.ts). */
export { profileArnRegion } from "../util/arn";

/** Where each setting's candidates come from, in order (VS Code: its settings layers; elsewhere: given values, then the environment). */
export type CandidateSource = (declaration: SettingDeclaration, name: KiroSettingName) => readonly SettingCandidate[];

/**
 * Resolves every core setting from `candidates`. A profile ARN's region is applied later, where the route is chosen
 * (src/kiro/service/route.ts), because the profile only exists in its region.
 */
export function resolveKiroSettingsFrom(candidates: CandidateSource, report?: SettingReport): KiroSettings {
  const read = <N extends KiroSettingName>(name: N) => settingValue(KIRO_SETTINGS[name] as SettingDeclaration<ValueOf<N>>, candidates(KIRO_SETTINGS[name], name), report);
  const region = read("region");
  const endpoint = read("endpoint").value;
  const profileArn = read("profileArn").value;
  const oidcEndpoint = read("oidcEndpoint").value;
  const firstTokenSeconds = read("firstTokenTimeoutSeconds").value;
  const settings: KiroSettings = {
    regionSource: region.source,
    api: read("api").value ?? "auto",
  };
  if (region.source !== "default" && region.value) settings.region = apiRegionFor(region.value);
  if (endpoint) settings.endpoint = endpoint;
  if (profileArn) settings.profileArn = profileArn;
  if (oidcEndpoint) settings.oidcEndpoint = oidcEndpoint;
  if (firstTokenSeconds) settings.firstTokenTimeoutMs = firstTokenSeconds * 1000;
  return settings;
}

/** pi, plain Node and stream options: values given directly, then the environment (`KIRO_REGION`, `KIRO_ENDPOINT`, …), then defaults. */
export function resolveKiroSettings(values: KiroSettingValues = {}, env: Env = process.env, report?: SettingReport): KiroSettings {
  return resolveKiroSettingsFrom(
    (declaration, name) => [...(unset(values[name]) ? [] : [{ source: "setting" as const, where: "the options", raw: values[name] }]), ...environmentCandidate(declaration, env)],
    report,
  );
}

/** A report that says each distinct message once (settings are read on every request). */
export function reportOnce(report: SettingReport): SettingReport {
  const said = new Set<string>();
  return (message) => {
    if (said.has(message)) return;
    said.add(message);
    report(message);
  };
}
