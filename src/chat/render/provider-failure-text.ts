/**
 * Turns a {@link ProviderError} into words for people: what failed and whether trying again
 * helps. Both come from `src/commands/messages.ts`, the one place provider failures are worded
 * (command replies below `src/chat` need the same words), so a card and a reply never disagree.
 */
import { providerFailureText, RETRY_ADVICE, type ProviderFailure } from '../../commands/messages';

/** The two sentences a failure is shown with. */
export interface ProviderFailureText {
  /** What failed, e.g. "Tencent Cloud is throttling cdn.DescribePushTasks (RequestLimitExceeded); try again shortly." */
  readonly what: string;
  /** Whether and when retrying helps. */
  readonly advice: string;
}

/** Describes a provider failure. */
export function describeProviderFailure(error: ProviderFailure): ProviderFailureText {
  return { what: providerFailureText(error), advice: RETRY_ADVICE[error.code] };
}
