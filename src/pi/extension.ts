// pi extension entry (bundled to dist/pi-extension.js): registers provider `kiro` with the Kiro models and shows the credits each turn cost.
import { KiroClient } from "../kiro/client";
import type { KiroLog } from "../kiro/log";
import { KIRO_API, KIRO_PROVIDER } from "../kiro/catalog/models";
import { resolveKiroSettings } from "../kiro/settings";
import { bridgeConfigFromEnv } from "./bridgeClient";
import { createKiroOAuthProvider } from "./kiroLogin";
import { createKiroStreamFunction, loadCatalog, MANAGED_API_KEY, relayEvents, type KiroPiDependencies } from "./kiroPiProvider";
import type { PiExtensionApi, PiEventContext, PiMessageEndEvent, PiStreamFunction } from "./piApi";
import { toPiProviderModels } from "./piModels";
import { createStoredSignInFinder } from "./storedSignIn";

const STATUS_KEY = "kiro";

/** Two decimals like Kiro's own usage page; tiny charges keep two significant digits instead of showing as 0. */
function formatCredits(value: number): string {
  if (value === 0 || Math.abs(value) >= 0.01) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(2)));
}

const nextTurnOfEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The stream function with each answer's last event (`done` or `error`) held back for one turn of the event loop.
 *
 * pi 0.73 passes the agent's events to extensions and to its own output through a queue its agent loop does not wait
 * for, and `pi -p`/`--mode json` stop printing as soon as the loop is done. When an answer arrives in one burst (a loaded
 * machine reads many NDJSON lines at once), the loop races through it and ends the run while that queue still holds the
 * answer's deltas and `message_end`: pi exits 0 without printing the final answer. The queue moves on promise jobs
 * only, so one turn of the event loop before the last event lets it catch up; the loop then ends as after an answer that
 * arrived piece by piece. It costs one event-loop turn per answer.
 */
function endingAfterPiCaughtUp(stream: PiStreamFunction): PiStreamFunction {
  return (model, context, options) =>
    relayEvents(stream(model, context, options), model, async (event) => {
      if (event.type === "done" || event.type === "error") await nextTurnOfEventLoop();
    });
}

/**
 * After each Kiro answer: its credits added to a running total in pi's footer, and a word when it ended at the model's
 * output limit (interactive mode; other modes have no footer). One handler, so one pass over each message. A
 * `message_end` pi delivers after the session ended (its queue can lag, see endingAfterPiCaughtUp) is left alone: its
 * ctx would throw "stale", and there is no footer left to update.
 */
function followKiroAnswers(pi: PiExtensionApi): void {
  let sessionCredits = 0;
  let sessionOver = false;
  // pi awaits this before it ends or replaces the session and its ctx goes stale.
  pi.on("session_shutdown", () => {
    sessionOver = true;
  });
  pi.on("message_end", (event: PiMessageEndEvent, ctx: PiEventContext) => {
    const message = event.message;
    if (sessionOver || message.role !== "assistant" || message.provider !== KIRO_PROVIDER || !ctx.hasUI) return;
    const credits = message.kiro?.credits;
    if (typeof credits === "number" && Number.isFinite(credits)) {
      sessionCredits += credits;
      ctx.ui.setStatus(STATUS_KEY, `Kiro: ${formatCredits(credits)} credits (session ${formatCredits(sessionCredits)})`);
    }
    const capped = message.kiro?.outputCapped;
    if (capped) {
      const dropped = capped.droppedToolCall ? ` The unfinished call to ${capped.droppedToolCall} was dropped; ask for it again in smaller steps.` : "";
      ctx.ui.notify(`Kiro: the answer reached the model's output limit.${dropped}`, "warning");
    }
  });
}

/**
 * What the core reports (the profile used, trimmed history, an answer cut at its limit) goes to stderr when pi runs with
 * `--verbose`; otherwise it stays quiet, since pi's own screen is stdout.
 */
export function piLog(argv: readonly string[] = process.argv, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): KiroLog | undefined {
  if (!argv.includes("--verbose")) return undefined;
  const line = (message: string): void => write(message.startsWith("Kiro") ? message : `Kiro: ${message}`);
  return { info: line, warn: line, debug: line };
}

export async function registerKiroProvider(pi: PiExtensionApi, deps: KiroPiDependencies = {}): Promise<void> {
  const env = deps.env ?? process.env;
  const storedSignIn = createStoredSignInFinder(env);
  const streamDeps: KiroPiDependencies = {
    findStoredToken: storedSignIn,
    storedSignInProblem: storedSignIn.problem,
    log: piLog(),
    ...deps,
    loginAvailable: true,
  };
  const catalog = await loadCatalog(streamDeps);
  const bridge = bridgeConfigFromEnv(env);
  // The host the settings point at; requests go where each one's route says (src/kiro/route.ts).
  // Refused values (an http:// endpoint to another machine, a malformed number) are said at the start of the session too.
  const settingProblems: string[] = [];
  const settings = resolveKiroSettings({}, env, (message) => settingProblems.push(message));
  const baseUrl = bridge?.url ?? new KiroClient({ credentials: async () => undefined, settings: () => settings }).baseUrl();
  pi.registerProvider(KIRO_PROVIDER, {
    name: "Kiro",
    baseUrl,
    apiKey: MANAGED_API_KEY,
    api: KIRO_API,
    streamSimple: endingAfterPiCaughtUp(createKiroStreamFunction(streamDeps, catalog.models)),
    models: toPiProviderModels(catalog.models),
    // `/login kiro`; pi stores the result in its auth.json, refreshes it when it expires and hands the access token over as the API key.
    oauth: createKiroOAuthProvider({ env: deps.env, fetch: deps.fetch }),
  });
  followKiroAnswers(pi);
  const problem = catalog.problem;
  if (problem || settingProblems.length > 0) {
    pi.on("session_start", (_event, ctx) => {
      if (!ctx.hasUI) return;
      if (problem) ctx.ui.notify(`Kiro: using the built-in model list. ${problem}`, "warning");
      for (const message of settingProblems) ctx.ui.notify(`Kiro: ${message}`, "warning");
    });
  }
}

/** pi calls the default export with its extension API; pi requires a default export here. */
export default async function kiroPiExtension(pi: PiExtensionApi): Promise<void> {
  await registerKiroProvider(pi);
}
