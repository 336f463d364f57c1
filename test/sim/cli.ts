// Runs the Kiro simulator as its own process for demos and for pi / VS Code tests in other processes; prints where it listens as one JSON line.
//
// Usage: node out/test/sim/cli.js [--port N] [--token T] [--control] [--seed N] [--chunking random|whole]
//          [--profile ARN[=NAME]]... [--builder-id] [--generations q,runtime] [--external-idp] [--api-key]
//          [--no-get-profile] [--disable-rule RULE]...
//   --profile       a profile of the account (repeatable; default one us-east-1 profile); ListAvailableProfiles lists them
//                   and every chat / model / usage call must name one of them (docs/kiro-protocol.md#profile-arn)
//   --builder-id    the account is an AWS Builder ID one: ListAvailableProfiles answers 403, the shared Builder ID
//                   profile ARN is accepted
//   --generations   the host generations served (default both); the other's routes answer 404
//   --external-idp  the token is an external identity provider's: calls must carry TokenType: EXTERNAL_IDP
//   --api-key       the token is a Kiro API key (ksk_…): calls must carry TokenType: API_KEY, ListAvailableProfiles refuses
//                   it, GetProfile names the first profile
//   --no-get-profile GetProfile answers 404 (a service without it)
//   --disable-rule  a rule id of test/sim/validation.ts RULES not to enforce (repeatable)
//   stdout, once listening: {"url":"http://127.0.0.1:<port>","accessToken":"<token>","profiles":[{arn,profileName}…][,"controlUrl":"<url>/__sim"]}
//   Point a client at it with KIRO_ENDPOINT=<url> KIRO_ACCESS_TOKEN=<token> KIRO_PROFILE_ARN=<arn>. Unscripted requests get the default reply
//   (replies.ts defaultSimReply: echo "You said: …", a `read` tool call for "read <path>", a quote of a tool result's
//   first line). SIGINT / SIGTERM close the server and exit 0.
//
// With --control, these routes are served on the same port (no bearer token; loopback only):
//   GET    /__sim/health     → {ok, pendingReplies, requests}
//   POST   /__sim/reply      body: one SimReply or an array of them (kiroSimulator.ts) → queued FIFO for the next
//                            generateAssistantResponse calls → {queued, pendingReplies}; 400 when not a SimReply
//   GET    /__sim/requests   → SimRecordedRequest[] (method, path, operation, generation, profileArn, query, headers, body,
//                            bodyBytes, validationErrors, status); ?since=<index> skips earlier ones,
//                            ?path=/generateAssistantResponse filters by path, ?operation=listAvailableProfiles by operation
//   GET    /__sim/calls-without-profile-arn → the chat / model / usage requests that carried no profile ARN
//   DELETE /__sim/requests   → forgets recorded requests
//   POST   /__sim/token      body {accessToken} → the token accepted from now on (simulates expiry / rotation)
//   POST   /__sim/usage      body: a getUsageLimits answer → served from now on
//   POST   /__sim/models     body: SimModel[] → the catalog from now on (ListAvailableModels and modelId validation)
//   POST   /__sim/profiles   body: [{arn, profileName}] → the account's profiles from now on
//   POST   /__sim/reset      → empties the reply queue and the recorded requests
import { startKiroSimulator, type SimGeneration, type SimProfile } from "./kiroSimulator";
import { RULES, type ValidationRule } from "./validation";

interface CliOptions {
  port: number;
  token?: string;
  control: boolean;
  seed?: number;
  chunking?: "random" | "whole";
  profiles: SimProfile[];
  builderId: boolean;
  generations?: SimGeneration[];
  externalIdp: boolean;
  apiKey: boolean;
  getProfile: boolean;
  disabledRules: ValidationRule[];
}

const USAGE =
  "usage: cli.js [--port N] [--token T] [--control] [--seed N] [--chunking random|whole] [--profile ARN[=NAME]]... [--builder-id] [--generations q,runtime] [--external-idp] [--api-key] [--no-get-profile] [--disable-rule RULE]...";

function parseArguments(argv: string[]): CliOptions {
  const options: CliOptions = { port: 0, control: false, profiles: [], builderId: false, externalIdp: false, apiKey: false, getProfile: true, disabledRules: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--port": {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port must be 0–65535");
        options.port = port;
        break;
      }
      case "--token":
        options.token = value();
        break;
      case "--control":
        options.control = true;
        break;
      case "--seed":
        options.seed = Number(value());
        break;
      case "--chunking": {
        const chunking = value();
        if (chunking !== "random" && chunking !== "whole") throw new Error("--chunking must be random or whole");
        options.chunking = chunking;
        break;
      }
      case "--profile": {
        const [arn, name] = value().split("=", 2) as [string, string | undefined];
        if (!/^arn:aws:codewhisperer:[a-z0-9-]+:\d{12}:profile\/[A-Za-z0-9]+$/.test(arn)) throw new Error(`--profile ${arn} is not a profile ARN (arn:aws:codewhisperer:<region>:<account>:profile/<id>)`);
        options.profiles.push({ arn, profileName: name ?? arn.slice(arn.lastIndexOf("/") + 1) });
        break;
      }
      case "--builder-id":
        options.builderId = true;
        break;
      case "--generations": {
        const names = value().split(",").map((g) => g.trim());
        if (names.length === 0 || names.some((g) => g !== "q" && g !== "runtime")) throw new Error("--generations takes q, runtime or q,runtime");
        options.generations = names as SimGeneration[];
        break;
      }
      case "--external-idp":
        options.externalIdp = true;
        break;
      case "--api-key":
        options.apiKey = true;
        break;
      case "--no-get-profile":
        options.getProfile = false;
        break;
      case "--disable-rule": {
        const rule = value();
        if (!(Object.values(RULES) as string[]).includes(rule)) throw new Error(`--disable-rule ${rule} is not a rule id; ids: ${Object.values(RULES).join(", ")}`);
        options.disabledRules.push(rule as ValidationRule);
        break;
      }
      default:
        throw new Error(`unknown argument ${flag}; ${USAGE}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const sim = await startKiroSimulator({
    port: options.port,
    control: options.control,
    ...(options.token === undefined ? {} : { accessToken: options.token }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.chunking === undefined ? {} : { chunking: options.chunking }),
    ...(options.profiles.length > 0 ? { profiles: options.profiles } : {}),
    ...(options.generations ? { generations: options.generations } : {}),
    builderId: options.builderId,
    disabledRules: options.disabledRules,
    // The flag marks whatever token the simulator accepts at the moment, also after POST /__sim/token.
    ...(options.externalIdp ? { externalIdpTokens: (token: string) => token === sim.accessToken } : {}),
    ...(options.apiKey ? { apiKeys: (token: string) => token === sim.accessToken } : {}),
    getProfile: options.getProfile,
  });
  const shutdown = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  process.stdout.write(
    `${JSON.stringify({ url: sim.url, accessToken: sim.accessToken, profiles: sim.profiles, ...(options.control ? { controlUrl: `${sim.url}/__sim` } : {}) })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`kiro simulator failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
