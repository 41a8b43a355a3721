import type { EventSinkLike } from "@ragloom/core";
import type { AnswerPromptInfo, AnswerTimings, AnswerUsage, Citation, UngroundedReason } from "./types.js";

/** Payloads of the events an answerer emits, by name. */
export interface AnswerEventMap {
  /** An answer started. */
  "answer:start": { answerId: string; question: string; stream: boolean };
  /** The model produced its first text, `ms` after the model was called. */
  "answer:first-token": { answerId: string; ms: number };
  /** A citation marker was rejected and removed from the text. */
  "citation:invalid": { answerId: string; citation: Citation };
  /** An answer ended (also when it is not grounded). */
  "answer:end": {
    answerId: string;
    grounded: boolean;
    ungroundedReason?: UngroundedReason;
    citations: number;
    invalidCitations: number;
    timings: AnswerTimings;
    usage: AnswerUsage;
    tokensPerSecond?: number;
    prompt: AnswerPromptInfo;
  };
  /** An answer failed or was aborted. */
  "answer:error": { answerId: string; question: string; error: unknown };
  /** Feedback arrived; `recorded` is true when an experiment counted it. */
  "answer:feedback": {
    answerId: string;
    score?: number;
    converted?: boolean;
    experiment?: string;
    variant?: string;
    recorded: boolean;
  };
}

/** Name of an {@link AnswerEventMap} event. */
export type AnswerEventName = keyof AnswerEventMap;

/** Emits on `target` if any; a throwing listener never breaks the answer. */
export function emitAnswerEvent<K extends AnswerEventName>(
  target: EventSinkLike | undefined,
  event: K,
  payload: AnswerEventMap[K],
): void {
  if (!target) return;
  try {
    target.emit(event, payload);
  } catch {
    // listeners must not break answering
  }
}
