// Runs the Kiro simulator as its own process for demos and for pi / VS Code tests in other processes; prints where it listens as one JSON line.
//
// Usage: node out/test/sim/cli.js [--port N] [--token T] [--control] [--seed N] [--chunking random|whole]
//   stdout, once listening: {"url":"http://127.0.0.1:<port>","accessToken":"<token>"[,"controlUrl":"<url>/__sim"]}
//   Point a client at it with KIRO_ENDPOINT=<url> KIRO_ACCESS_TOKEN=<token>. Unscripted requests get the default reply
//   (replies.ts defaultSimReply: echo "You said: …", a `read` tool call for "read <path>", a quote of a tool result's
//   first line). SIGINT / SIGTERM close the server and exit 0.
//
// With --control, these routes are served on the same port (no bearer token; loopback only):
//   GET    /__sim/health     → {ok, pendingReplies, requests}
//   POST   /__sim/reply      body: one SimReply or an array of them (kiroSimulator.ts) → queued FIFO for the next
//                            generateAssistantResponse calls → {queued, pendingReplies}; 400 when not a SimReply
//   GET    /__sim/requests   → SimRecordedRequest[] (method, path, query, headers, body, bodyBytes, validationErrors, status);
//                            ?since=<index> skips earlier ones, ?path=/generateAssistantResponse filters by path
//   DELETE /__sim/requests   → forgets recorded requests
//   POST   /__sim/token      body {accessToken} → the token accepted from now on (simulates expiry / rotation)
//   POST   /__sim/usage      body: a getUsageLimits answer → served from now on
//   POST   /__sim/models     body: SimModel[] → the catalog from now on (ListAvailableModels and modelId validation)
//   POST   /__sim/reset      → empties the reply queue and the recorded requests
import { startKiroSimulator } from "./kiroSimulator";

interface CliOptions {
  port: number;
  token?: string;
  control: boolean;
  seed?: number;
  chunking?: "random" | "whole";
}

function parseArguments(argv: string[]): CliOptions {
  const options: CliOptions = { port: 0, control: false };
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
      default:
        throw new Error(`unknown argument ${flag}; usage: cli.js [--port N] [--token T] [--control] [--seed N] [--chunking random|whole]`);
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
    `${JSON.stringify({ url: sim.url, accessToken: sim.accessToken, ...(options.control ? { controlUrl: `${sim.url}/__sim` } : {}) })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`kiro simulator failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
