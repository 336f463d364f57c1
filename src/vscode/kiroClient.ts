// The window's one Kiro client: the sign-in, the settings and the log put together once; the Chat view, the bridge for pi terminals and the account view all use it.
import { KiroClient } from "../kiro/client";
import type { KiroLog } from "../kiro/log";
import type { KiroSessionSource } from "./auth/authSessionSource";
import type { Logger } from "./log";
import { profileChooser } from "./profilePick";
import { kiroSettings } from "./settings";

export function coreLog(log: Logger): KiroLog {
  return { info: (message) => log.info(message), warn: (message) => log.warn(message), debug: (message) => log.debug(message) };
}

/** A client over the window's sign-in and the user's settings (read at every call, so changes apply at once). */
export function createWindowKiroClient(session: KiroSessionSource, log: Logger): KiroClient {
  return new KiroClient({
    credentials: () => session.getCredentials(),
    ...(session.refreshCredentials ? { refresh: () => session.refreshCredentials!() } : {}),
    settings: () => kiroSettings(),
    chooseProfile: profileChooser(session, log),
    log: coreLog(log),
  });
}
