// The "Get Started with Kiro" walkthrough's steps, checked off by the code that knows a step was done.
import * as vscode from "vscode";
import type { KiroSessionSource } from "./auth/authSessionSource";
import type { Logger } from "./log";

/** The "Get Started with Kiro" walkthrough in package.json `contributes.walkthroughs`. */
export const WALKTHROUGH_ID = "kiro.getStarted";
export type WalkthroughStep = "signIn" | "chat" | "pi" | "agents";

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


/** Context key the walkthrough's sign-in step waits for (`onContext:kiro.signedIn`). */
export const SIGNED_IN_CONTEXT_KEY = "kiro.signedIn";

/** Checks each step off once per window (the workbench keeps it checked across windows), from wherever the work happened. */
export class WalkthroughProgress {
  private readonly marked = new Set<WalkthroughStep>();

  constructor(
    private readonly extensionId: string,
    private readonly log?: Logger,
  ) {}

  done(step: WalkthroughStep): void {
    if (this.marked.has(step)) return;
    this.marked.add(step);
    void markWalkthroughStepDone(this.extensionId, step, this.log);
  }

  /**
   * Keeps the `kiro.signedIn` context key in step with the session and checks "Sign in" off; the context key alone does
   * not check the step when the walkthrough service starts after the sign-in (see markWalkthroughStepDone).
   */
  followSignIn(session: Pick<KiroSessionSource, "isSignedIn" | "onDidChange">): vscode.Disposable {
    const update = (): void => {
      const signedIn = session.isSignedIn();
      void vscode.commands.executeCommand("setContext", SIGNED_IN_CONTEXT_KEY, signedIn);
      if (signedIn) this.done("signIn");
    };
    update();
    return session.onDidChange(update);
  }
}
