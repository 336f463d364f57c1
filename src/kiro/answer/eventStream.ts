// An async-iterable queue of stream events with a `result()` promise, the same shape as pi-ai's AssistantMessageEventStream.
import type { AssistantMessage, AssistantMessageEvent } from "../types";

export class EventStream<T, R = T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private readonly waiting: ((value: IteratorResult<T>) => void)[] = [];
  private done = false;
  private readonly finalResult: Promise<R>;
  private resolveFinalResult!: (result: R) => void;

  constructor(
    private readonly isComplete: (event: T) => boolean,
    private readonly extractResult: (event: T) => R,
  ) {
    this.finalResult = new Promise<R>((resolve) => {
      this.resolveFinalResult = resolve;
    });
  }

  push(event: T): void {
    if (this.done) return;
    if (this.isComplete(event)) {
      this.done = true;
      this.resolveFinalResult(this.extractResult(event));
    }
    const waiter = this.waiting.shift();
    if (waiter) waiter({ value: event, done: false });
    else this.queue.push(event);
  }

  end(result?: R): void {
    this.done = true;
    if (result !== undefined) this.resolveFinalResult(result);
    while (this.waiting.length > 0) this.waiting.shift()!({ value: undefined, done: true });
  }

  /**
   * A hand-written iterator rather than an async generator: a generator costs several promise hops per event,
   * which adds up on answers with tens of thousands of deltas. Same behaviour: queued events first, then
   * waiting; `return()` ends this iterator only.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    let finished = false;
    const finish = (): IteratorResult<T> => {
      finished = true;
      return { value: undefined, done: true };
    };
    const iterator: AsyncIterableIterator<T> = {
      next: (): Promise<IteratorResult<T>> => {
        if (finished) return Promise.resolve({ value: undefined, done: true });
        if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
        if (this.done) return Promise.resolve(finish());
        return new Promise<IteratorResult<T>>((resolve) => {
          this.waiting.push((result) => resolve(result.done ? finish() : result));
        });
      },
      return: (value?: unknown): Promise<IteratorResult<T>> => {
        finish();
        return Promise.resolve({ value, done: true });
      },
      throw: (error?: unknown): Promise<IteratorResult<T>> => {
        finish();
        return Promise.reject(error);
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  result(): Promise<R> {
    return this.finalResult;
  }
}

export class AssistantMessageEventStream extends EventStream<AssistantMessageEvent, AssistantMessage> {
  constructor() {
    super(
      (event) => event.type === "done" || event.type === "error",
      (event) => {
        if (event.type === "done") return event.message;
        if (event.type === "error") return event.error;
        throw new Error("Unexpected event type for final result");
      },
    );
  }
}

export function createAssistantMessageEventStream(): AssistantMessageEventStream {
  return new AssistantMessageEventStream();
}
