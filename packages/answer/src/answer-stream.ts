import { AbortError } from "@ragloom/core";
import type { Answer, AnswerPart } from "./types.js";

/**
 * A streamed answer: an `AsyncIterable` of {@link AnswerPart}s (`sources`, then `text-delta` and
 * `citation` parts, then one `done`), readable once, either by `for await`, or as a web
 * `ReadableStream` through one of the `to…Stream()` methods. Generation starts when reading starts;
 * stopping early (`break`, `cancel()`) aborts the model call.
 */
export interface AnswerStream extends AsyncIterable<AnswerPart> {
  /** The parts as a web `ReadableStream` (for `Response` bodies, `pipeThrough`, …). */
  toReadableStream(): ReadableStream<AnswerPart>;
  /** Only the answer text, as a web `ReadableStream` of strings. */
  toTextStream(): ReadableStream<string>;
  /**
   * The parts as server-sent events (`event: <part type>`, `data: <JSON>`), UTF-8 encoded, e.g.
   * `new Response(stream.toEventStream(), { headers: { "content-type": "text/event-stream" } })`.
   */
  toEventStream(): ReadableStream<Uint8Array>;
  /** The final answer: reads the whole stream if nobody else does, else waits for its end. */
  result(): Promise<Answer>;
}

/**
 * Wraps a part generator as an {@link AnswerStream}. `run` receives a signal that aborts when the
 * reader cancels.
 */
export function createAnswerStream(run: (signal: AbortSignal) => AsyncGenerator<AnswerPart>): AnswerStream {
  const cancelled = new AbortController();
  let gen: AsyncGenerator<AnswerPart> | undefined;
  let settle!: { resolve: (a: Answer) => void; reject: (e: unknown) => void };
  const final = new Promise<Answer>((resolve, reject) => {
    settle = { resolve, reject };
  });
  final.catch(() => {});
  const readable = new ReadableStream<AnswerPart>(
    {
      async pull(ctrl) {
        gen ??= run(cancelled.signal);
        try {
          const r = await gen.next();
          if (r.done) {
            ctrl.close();
            return;
          }
          if (r.value.type === "done") settle.resolve(r.value.answer);
          ctrl.enqueue(r.value);
        } catch (error) {
          settle.reject(error);
          ctrl.error(error);
        }
      },
      async cancel() {
        const reason = new AbortError("the answer stream was cancelled by its reader");
        settle.reject(reason);
        cancelled.abort(reason);
        await gen?.return(undefined).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  const encoder = new TextEncoder();
  return {
    [Symbol.asyncIterator]() {
      const reader = readable.getReader();
      return {
        async next() {
          const r = await reader.read();
          return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
        },
        async return() {
          await reader.cancel();
          reader.releaseLock();
          return { done: true, value: undefined };
        },
      };
    },
    toReadableStream: () => readable,
    toTextStream: () =>
      readable.pipeThrough(
        new TransformStream<AnswerPart, string>({
          transform(part, ctrl) {
            if (part.type === "text-delta") ctrl.enqueue(part.text);
          },
        }),
      ),
    toEventStream: () =>
      readable.pipeThrough(
        new TransformStream<AnswerPart, Uint8Array>({
          transform(part, ctrl) {
            ctrl.enqueue(encoder.encode(`event: ${part.type}\ndata: ${JSON.stringify(part)}\n\n`));
          },
        }),
      ),
    async result() {
      if (!readable.locked) {
        const reader = readable.getReader();
        for (;;) {
          const r = await reader.read();
          if (r.done) break;
        }
      }
      return final;
    },
  };
}
