import type { EventSinkLike } from "@ragloom/core";
import { ValidationError } from "@ragloom/core";
import type { Experiments } from "@ragloom/prompts";
import type { AnswerFeedback, FeedbackResult } from "./answerer-options.js";
import { emitAnswerEvent } from "./events.js";

/** What an answerer remembers of an answer until feedback arrives. */
export interface PendingFeedback {
  experiment?: string;
  variant?: string;
  unitId?: string;
}

/**
 * Validates feedback and records it in the experiment that assigned the answer's prompt:
 * `converted: true` as a conversion on `conversionMetric`, `score` as a value on `scoreMetric`.
 * @throws ValidationError for an unknown answer (`entry` undefined) or empty / malformed feedback.
 */
export async function recordFeedback(
  entry: PendingFeedback | undefined,
  answerId: string,
  feedback: AnswerFeedback,
  options: {
    experiments?: Experiments;
    events?: EventSinkLike;
    conversionMetric?: string;
    scoreMetric?: string;
  },
): Promise<FeedbackResult> {
  if (!entry) throw new ValidationError(`unknown or expired answer id ${JSON.stringify(answerId)}`);
  const { score, converted } = feedback ?? {};
  if (score === undefined && converted === undefined) {
    throw new ValidationError("feedback needs a score or converted");
  }
  if (score !== undefined && !(typeof score === "number" && Number.isFinite(score))) {
    throw new ValidationError(`score must be a finite number, got ${score}`);
  }
  if (converted !== undefined && typeof converted !== "boolean") {
    throw new ValidationError("converted must be a boolean");
  }
  const { experiments } = options;
  let recorded = false;
  if (experiments && entry.experiment && entry.unitId) {
    if (converted === true) {
      const r = await experiments.recordConversion(
        entry.experiment,
        entry.unitId,
        options.conversionMetric ?? "conversion",
      );
      recorded ||= r.recorded;
    }
    if (score !== undefined) {
      const r = await experiments.recordValue(
        entry.experiment,
        entry.unitId,
        options.scoreMetric ?? "score",
        score,
      );
      recorded ||= r.recorded;
    }
  }
  emitAnswerEvent(options.events, "answer:feedback", {
    answerId,
    ...(score !== undefined ? { score } : {}),
    ...(converted !== undefined ? { converted } : {}),
    ...(entry.experiment ? { experiment: entry.experiment, variant: entry.variant } : {}),
    recorded,
  });
  return {
    recorded,
    ...(entry.experiment ? { experiment: entry.experiment } : {}),
    ...(entry.variant ? { variant: entry.variant } : {}),
  };
}
