// Pumps one answer from the stream function to a client in any wire format: abort on disconnect, stop on dispose, back-pressure, keep-alives, and a final failure when the stream breaks its contract.
import type { ServerResponse } from "node:http";
import type { AssistantMessageEvent } from "../../kiro/types";
import { failedAnswer } from "../../kiro/answer/failedAnswer";
import { COMMON_HEADERS, describeError, sendJson } from "./respond";
import type { AnswerEncoder, AnswerRequest, BridgeLogger, BridgeStreamFunction, EncodedEvent, FinalAnswerEvent } from "./types";

/** A stream the server is serving, so dispose can stop it and wait for its last bytes. */
export interface RunningAnswer {
  /** Aborts the provider request and ends the response with a final failure. */
  stop(): void;
  /** Resolves once the response is fully handed to the socket or the connection closed. */
  settled: Promise<void>;
}

function waitForDrainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

function isFinal(event: AssistantMessageEvent): event is FinalAnswerEvent {
  return event.type === "done" || event.type === "error";
}

/** The final `error` event the bridge makes itself when the stream function broke its never-throw contract or was cut off. */
export function bridgeFailureEvent(request: AnswerRequest, errorMessage: string): FinalAnswerEvent {
  return { type: "error", reason: "error", error: failedAnswer(request.model, errorMessage) };
}

export const STOPPED_MESSAGE = "The Kiro bridge in VS Code stopped (window closed or extension reloaded) before the answer finished.";
export const NO_FINAL_EVENT_MESSAGE = "The Kiro stream ended without a final event (bridge).";

interface PumpSetup {
  res: ServerResponse;
  stream: BridgeStreamFunction;
  logger: BridgeLogger;
  redact(text: string): string;
  running: Set<RunningAnswer>;
  /** Gather the events of one event-loop turn into one write (see `streamAnswer`); false writes each event alone. */
  coalesce?: boolean;
}

/** Bytes gathered before they are written without waiting for the turn to end, so a burst stays bounded. */
export const MAX_GATHERED_CHARS = 64 * 1024;
/**
 * After this long without a write, the next event goes out at once; within it, events wait for their turn's end. Kiro
 * sends tokens tens of milliseconds apart, each then written at once; a burst (a backlog of chunks the network held)
 * is written once per turn instead of twice.
 */
export const IDLE_WRITE_MS = 10;

/**
 * Runs one answer, handing each event to `sink` (which may write it) until a final event, a stop, or the client
 * leaving. Returns the final event, or undefined when the client left first.
 */
async function pump(
  setup: PumpSetup,
  request: AnswerRequest,
  sink: (event: AssistantMessageEvent) => Promise<void>,
  whenStarted?: () => void,
): Promise<FinalAnswerEvent | undefined> {
  const { res, logger, running } = setup;
  const controller = new AbortController();
  /**
   * Why the loop must stop early, and the one waiter to wake when it does. Each wait gets a fresh promise and this
   * slot is overwritten: racing every `next()` against two long-lived promises instead added a reaction to each of
   * them per event, ~0.5 KB kept until the answer ended (+476 MB over a million events).
   */
  let interruption: "closed" | "stopped" | undefined;
  let wake: ((reason: "closed" | "stopped") => void) | undefined;
  const interrupt = (reason: "closed" | "stopped"): void => {
    interruption ??= reason;
    wake?.(interruption);
  };
  const settled = new Promise<void>((resolve) => {
    res.once("finish", resolve);
    res.once("close", resolve);
  });
  const entry: RunningAnswer = {
    stop: () => {
      controller.abort();
      interrupt("stopped");
    },
    settled,
  };
  running.add(entry);
  const onClose = (): void => {
    if (!res.writableFinished && !controller.signal.aborted) {
      logger.debug(`bridge: client went away, aborting the ${request.model.id} request`);
      controller.abort();
    }
    // A stream that ignores its abort signal must not keep this handler waiting after the client left.
    interrupt("closed");
  };
  res.on("close", onClose);

  let final: FinalAnswerEvent | undefined;
  const deliver = async (event: AssistantMessageEvent): Promise<void> => {
    if (isFinal(event)) final = event;
    await sink(event);
  };
  const nextOrInterruption = (iterator: AsyncIterator<AssistantMessageEvent>): Promise<IteratorResult<AssistantMessageEvent> | "closed" | "stopped"> =>
    new Promise((resolve, reject) => {
      wake = resolve;
      iterator.next().then(resolve, reject);
    });
  try {
    whenStarted?.();
    const iterator = setup.stream(request.model, request.context, { ...request.options, signal: controller.signal })[Symbol.asyncIterator]();
    while (final === undefined && !res.destroyed && interruption === undefined) {
      const next = await nextOrInterruption(iterator);
      wake = undefined;
      // A stop or a departed client beats an event that became ready at the same time.
      if (interruption !== undefined || typeof next !== "object" || next.done) break;
      await deliver(next.value);
    }
    if (interruption === "stopped" && final === undefined && !res.destroyed) await deliver(bridgeFailureEvent(request, STOPPED_MESSAGE));
    if (final === undefined) void iterator.return?.()?.catch(() => undefined);
    if (final === undefined && !res.destroyed) await deliver(bridgeFailureEvent(request, NO_FINAL_EVENT_MESSAGE));
  } catch (error) {
    const message = setup.redact(describeError(error));
    logger.error(`bridge: stream for ${request.model.id} failed: ${message}`);
    if (final === undefined && !res.destroyed) await deliver(bridgeFailureEvent(request, `Kiro bridge error: ${message}`));
  } finally {
    wake = undefined;
    running.delete(entry);
    res.off("close", onClose);
  }
  return final;
}

/**
 * Streams an answer as the encoder writes it; the response is always ended. The status goes out at once, or, for an
 * encoder that can `refuse`, with its first bytes, so a failure that comes before them is answered with an HTTP status.
 *
 * Kiro's answer arrives in network chunks that each decode into many events, all within one event-loop turn. The first
 * event after a pause (IDLE_WRITE_MS) is written at once (so the first token is not held back); the others are gathered
 * and written together when their turn ends (`setImmediate`), or as soon as MAX_GATHERED_CHARS are waiting: one socket
 * write and one client read per chunk instead of per delta.
 */
export async function streamAnswer(setup: PumpSetup, request: AnswerRequest, encoder: AnswerEncoder): Promise<void> {
  const { res } = setup;
  let headed = false;
  const head = (): void => {
    if (headed || res.headersSent) return;
    headed = true;
    res.writeHead(200, { ...COMMON_HEADERS, "Content-Type": encoder.contentType });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
  };
  let gathered: string[] = [];
  let gatheredChars = 0;
  /** Set while a turn is open: what it writes is gathered until it ends. */
  let turnEnd: NodeJS.Immediate | undefined;
  let lastWriteAt = -Infinity;
  const send = (text: string | Uint8Array): void => {
    lastWriteAt = performance.now();
    res.write(text);
  };
  /** An event in pieces (text around UTF-8 bytes encoded once per answer): after what waits, in one corked write. */
  const sendPieces = (pieces: readonly (string | Uint8Array)[]): void => {
    flush();
    res.cork();
    for (const piece of pieces) if (piece.length > 0) send(piece);
    res.uncork();
  };
  const flush = (): void => {
    if (gathered.length === 0 || res.destroyed || res.writableEnded) {
      gathered = [];
      gatheredChars = 0;
      return;
    }
    const text = gathered.length === 1 ? gathered[0]! : gathered.join("");
    gathered = [];
    gatheredChars = 0;
    send(text);
  };
  const endTurn = (): void => {
    turnEnd = undefined;
    flush();
  };
  const write = async (encoded: EncodedEvent): Promise<void> => {
    if (encoded.length === 0 || res.destroyed || res.writableEnded) return;
    head();
    if (typeof encoded !== "string") {
      sendPieces(encoded);
      if (res.writableNeedDrain) await waitForDrainOrClose(res);
      return;
    }
    const text = encoded;
    const opensTurn = setup.coalesce && turnEnd === undefined;
    if (opensTurn) turnEnd = setImmediate(endTurn);
    if (!setup.coalesce || (opensTurn && performance.now() - lastWriteAt >= IDLE_WRITE_MS)) {
      send(text);
    } else if (text.length >= MAX_GATHERED_CHARS) {
      // A large event (an answer's closing events repeat its whole text) goes out as it is, not copied into a join.
      flush();
      send(text);
    } else {
      gathered.push(text);
      gatheredChars += text.length;
      if (gatheredChars >= MAX_GATHERED_CHARS) flush();
    }
    // Back-pressure: the next event waits while the socket holds more than it wants (a gathered write counts too).
    if (res.writableNeedDrain) await waitForDrainOrClose(res);
  };
  let keepAlive: NodeJS.Timeout | undefined;
  try {
    await pump(
      setup,
      request,
      async (event) => {
        const refusal = !headed && event.type === "error" ? encoder.refuse?.(event) : undefined;
        if (refusal) sendJson(res, refusal.status, refusal.body, refusal.headers);
        else await write(encoder.encode(event));
      },
      () => {
        if (!encoder.refuse) head();
        if (encoder.keepAlive) {
          const { everyMs, text } = encoder.keepAlive;
          keepAlive = setInterval(() => {
            // Only between writes: a ping never lands inside another event, nor piles up behind a slow reader.
            if (res.destroyed || res.writableEnded || res.writableLength > 0 || gathered.length > 0) return;
            head();
            res.write(text());
          }, everyMs);
          keepAlive.unref();
        }
      },
    );
  } finally {
    clearInterval(keepAlive);
    if (turnEnd !== undefined) clearImmediate(turnEnd);
    flush();
    if (!res.destroyed && !res.writableEnded) res.end();
  }
}

/** Runs an answer to its final event without writing anything; the caller answers. */
export async function completeAnswer(setup: PumpSetup, request: AnswerRequest): Promise<FinalAnswerEvent> {
  const final = await pump(setup, request, async () => undefined);
  return final ?? bridgeFailureEvent(request, "The client went away before the answer finished.");
}
