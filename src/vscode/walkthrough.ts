// The "Get Started with Kiro" walkthrough's steps, checked off by the code that knows a step was done.
import * as vscode from "vscode";
import type { Logger } from "./log";

/** The "Get Started with Kiro" walkthrough in package.json `contributes.walkthroughs`. */
export const WALKTHROUGH_ID = "kiro.getStarted";
export type WalkthroughStep = "signIn" | "chat" | "pi";

/** VS Code's id for a step of an extension's walkthrough: `<publisher>.<name>#<walkthrough>#<step>`. */
export function walkthroughStepId(extensionId: string, step: WalkthroughStep): string {
  return `${extensionId}#${WALKTHROUGH_ID}#${step}`;
}

/**
 * Checks a walkthrough step off through the workbench's `welcome.markStepComplete` command, because completion events alone
 * miss work done before the walkthrough service exists. The rule in VS Code 1.139 (gettingStartedService.ts): the service is
 * a lazily created singleton, usually first created when a walkthrough is opened; only then does it listen for
 * `onCommand:`/`onView:`/`onContext:` events, and an `onContext:` expression that already holds when the step is registered
 * is recorded as seen for the session WITHOUT checking the step, so it can never check it in that session. Hence a person
 * who signed in (or opened pi) first and opened the walkthrough afterwards saw the step unchecked.
 * Progress is saved before the service looks the step up, so the command's "step does not exist" rejection while the
 * service is still registering contributions (it may have just been created by this very call) loses nothing.
 */
export async function markWalkthroughStepDone(extensionId: string, step: WalkthroughStep, log?: Logger): Promise<void> {
  try {
    await vscode.commands.executeCommand("welcome.markStepComplete", walkthroughStepId(extensionId, step));
  } catch (error) {
    log?.debug(`walkthrough step ${step}: welcome.markStepComplete said ${error instanceof Error ? error.message : String(error)}`);
  }
}

