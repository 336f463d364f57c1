// Helpers the auth unit tests share: an OIDC simulator stopped with the test, and a clock the test moves by hand.
import { startOidcSimulator, type OidcSimulator } from "../sim/oidcSimulator";

/** 10 ms per simulated second unless told otherwise. */
export async function oidc(t: { after(fn: () => Promise<void>): void }, secondMs = 10): Promise<OidcSimulator> {
  const sim = await startOidcSimulator({ secondMs, interval: 1 });
  t.after(() => sim.close());
  return sim;
}

/** A clock the test moves by hand, so "an hour later" needs no waiting. */
export function clock(start = Date.now()): { now: () => number; advance(ms: number): void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}
