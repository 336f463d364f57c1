// The offline demo's backend for `npm start -- --demo`: the OIDC simulator and the Kiro simulator in one process, the Kiro side accepting exactly the tokens the OIDC side issued.
//
// Usage: node out/test/sim/demo.js [--kiro-port N] [--oidc-port N]
//   stdout, once both listen: {"kiroEndpoint":"http://127.0.0.1:<port>","oidcEndpoint":"http://127.0.0.1:<port>","profiles":[{"arn","profileName"}]}
//   The Kiro side serves both host generations and its account has one profile, which ListAvailableProfiles lists.
//   Point the extension at them with the settings kiro.endpoint and kiro.oidcEndpoint, then run "Kiro: Sign In": nothing
//   approves the code by itself, a person does it on the simulator's page (/device?user_code=…) as on AWS's.
//   SIGINT / SIGTERM close both servers and exit 0.
import { startKiroSimulator, type KiroSimulator } from "./kiroSimulator";
import { startOidcSimulator, type OidcSimulator } from "./oidcSimulator";

export interface DemoServers {
  kiro: KiroSimulator;
  oidc: OidcSimulator;
  close(): Promise<void>;
}

/** Starts both simulators on loopback; a sign-in against `oidc` yields tokens (and refreshed ones) that `kiro` accepts, nothing else. */
export async function startDemoServers(ports: { kiro?: number; oidc?: number } = {}): Promise<DemoServers> {
  // A one-second poll interval keeps the wait after clicking Approve short; AWS asks for five.
  const oidc = await startOidcSimulator({ port: ports.oidc ?? 0, interval: 1 });
  let kiro: KiroSimulator;
  try {
    kiro = await startKiroSimulator({ port: ports.kiro ?? 0, acceptsToken: (token) => oidc.isValidAccessToken(token) });
  } catch (error) {
    await oidc.close();
    throw error;
  }
  return {
    kiro,
    oidc,
    async close() {
      await Promise.all([kiro.close(), oidc.close()]);
    },
  };
}

function portArgument(argv: string[], name: string): number | undefined {
  const index = argv.indexOf(name);
  if (index < 0) return undefined;
  const port = Number(argv[index + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be 0–65535`);
  return port;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const unknown = argv.filter((arg, i) => arg.startsWith("--") && arg !== "--kiro-port" && arg !== "--oidc-port" && !(i > 0 && argv[i - 1]?.endsWith("-port")));
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]}; usage: demo.js [--kiro-port N] [--oidc-port N]`);
  const servers = await startDemoServers({ kiro: portArgument(argv, "--kiro-port"), oidc: portArgument(argv, "--oidc-port") });
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    servers.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  process.stdout.write(`${JSON.stringify({ kiroEndpoint: servers.kiro.url, oidcEndpoint: servers.oidc.url, profiles: servers.kiro.profiles })}\n`);
}

// The bundler may inline this file elsewhere, where `require.main === module` holds too; the script name tells them apart.
if (require.main === module && /demo\.js$/.test(process.argv[1] ?? "")) {
  main().catch((error: unknown) => {
    process.stderr.write(`demo servers failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
