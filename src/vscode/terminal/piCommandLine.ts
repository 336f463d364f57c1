// Turns the `kiro.pi.command` setting into pi's executable plus arguments (`-e <pi extension> --model kiro/<model>`), through the shared launch planning of commandLine.ts.
import { isSafeModelId, planCommandLaunch, type LaunchPlan, type ResolveOptions } from "./commandLine";

/** The npm command that installs pi; shown to people who do not have it. */
export const PI_INSTALL_COMMAND = "npm install -g @mariozechner/pi-coding-agent";
export const DEFAULT_PI_COMMAND = "pi";

export interface PiLaunchRequest {
  /** The `kiro.pi.command` setting, e.g. `pi`, `/opt/pi/bin/pi`, `npx @mariozechner/pi-coding-agent`. */
  commandLine: string;
  /** Absolute path of dist/pi-extension.js in the installed extension. */
  piExtension: string;
  /** pi's model id without the provider, e.g. `claude-sonnet-4-5`. */
  model: string;
}

export type PiLaunchPlan = LaunchPlan | { ok: false; reason: "invalid-model"; program: string; detail: string };

/**
 * `<command> [its own args] -e <pi extension> --model kiro/<model>`, with the command resolved to a file.
 * A `--model` the user put into the setting wins over ours; a model that is not a plain id ({@link isSafeModelId}) is refused.
 */
export async function planPiLaunch(request: PiLaunchRequest, options: ResolveOptions = {}): Promise<PiLaunchPlan> {
  if (!isSafeModelId(request.model)) return { ok: false, reason: "invalid-model", program: request.commandLine, detail: request.model };
  return planCommandLaunch(
    request.commandLine,
    (ownArgs) => {
      const userChoseModel = ownArgs.some((arg) => arg === "--model" || arg.startsWith("--model="));
      return ["-e", request.piExtension, ...(userChoseModel ? [] : ["--model", `kiro/${request.model}`])];
    },
    options,
  );
}
