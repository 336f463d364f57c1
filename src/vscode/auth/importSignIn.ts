// "Kiro: Import Sign-in from <the sign-in sources>" (IMPORT_COMMAND_TITLE): lists the sign-ins the sign-in sources hold (read-only), imports the one picked, and says per source why nothing was found.
import * as vscode from "vscode";
import type { ImportOptions } from "../../auth/import/credentialImport";
import type { ImportedSession } from "../../auth/import/sourceShape";
import { SIGN_IN_SOURCES, sourceLabels, type SignInSource } from "../../auth/import/signInSources";
import type { KiroSession } from "../../auth/session";
import type { Logger } from "../log";
import { describeSignIn } from "./accountStatusBar";

/** What the command needs of a sign-in source (the registry's SignInSource; tests pass their own). */
export type ImportSource = Pick<SignInSource, "label"> & {
  read(): Promise<ImportedSession>;
  import(options: ImportOptions): Promise<ImportedSession>;
};

export type SourceFinding = { source: ImportSource; found: ImportedSession } | { source: ImportSource; failure: string };

/** Reads every source; a failure is kept with its message (it already says which file and what to do). */
export async function findImportableSignIns(sources: readonly ImportSource[]): Promise<SourceFinding[]> {
  return Promise.all(
    sources.map(async (source): Promise<SourceFinding> => {
      try {
        return { source, found: await source.read() };
      } catch (error) {
        return { source, failure: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

function expiryText(session: KiroSession, now: number): string {
  const minutes = Math.round((session.expiresAt - now) / 60_000);
  if (minutes > 0) return `token valid for ${minutes >= 120 ? `${Math.round(minutes / 60)} hours` : `${minutes} minutes`}`;
  return "token expired";
}

interface FindingItem extends vscode.QuickPickItem {
  finding?: Extract<SourceFinding, { found: ImportedSession }>;
}

/**
 * Runs the command. Resolves with the stored session, or undefined when nothing was imported (the user was told why).
 * `store` keeps the session as the one signed-in account.
 */
export async function importSignIn(options: {
  sources?: readonly ImportSource[];
  importOptions: () => ImportOptions;
  store: (session: KiroSession) => Promise<KiroSession>;
  log?: Logger;
}): Promise<KiroSession | undefined> {
  const { log } = options;
  const sources = options.sources ?? SIGN_IN_SOURCES;
  const listed = sourceLabels("or", sources);
  const findings = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Kiro: looking for ${sourceLabels("and", sources)} sign-ins` },
    () => findImportableSignIns(sources),
  );
  for (const finding of findings) {
    log?.info(`Kiro import: ${finding.source.label}: ${"found" in finding ? `found ${describeSignIn(finding.found.session)} in ${finding.found.sourcePath}` : finding.failure}`);
  }
  const found = findings.filter((f): f is Extract<SourceFinding, { found: ImportedSession }> => "found" in f);
  if (found.length === 0) {
    const reasons = findings.map((f) => `${f.source.label}: ${"failure" in f ? f.failure : ""}`).join("\n\n");
    void vscode.window.showErrorMessage(`Kiro: no sign-in to import from ${listed}.`, { modal: false, detail: reasons }, "Sign In Instead").then((choice) => {
      if (choice) void vscode.commands.executeCommand("kiro.signIn");
    });
    // The toast shows only the first line; each source's reason is in the log too.
    log?.warn(`Kiro import: nothing to import.\n${reasons}`);
    return undefined;
  }
  const now = Date.now();
  const items: FindingItem[] = findings.map((f) =>
    "found" in f
      ? {
          label: `$(cloud-download) ${f.found.session.account}`,
          description: `from ${f.source.label}`,
          detail: `${describeSignIn(f.found.session)} · ${f.found.session.region} · ${expiryText(f.found.session, now)} · ${f.found.sourcePath}`,
          finding: f,
        }
      : { label: `$(circle-slash) ${f.source.label}: nothing to import`, detail: f.failure },
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: "Kiro: Import Sign-in",
    placeHolder: `Use a sign-in ${listed} already holds (their files are only read, never changed)`,
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  if (!picked?.finding) return undefined;
  const { source } = picked.finding;
  try {
    const imported = await source.import(options.importOptions());
    const stored = await options.store(imported.session);
    log?.info(`Kiro import: signed in as ${stored.account} from ${source.label}`);
    void vscode.window.showInformationMessage(`Kiro: signed in as ${stored.account} (imported from ${source.label}).`);
    return stored;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log?.error(`Kiro import from ${source.label} failed: ${message}`);
    void vscode.window.showErrorMessage(`Kiro: could not import the sign-in from ${source.label}. ${message}`);
    return undefined;
  }
}
