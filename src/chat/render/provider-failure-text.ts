/**
 * Turns a {@link ProviderError} into words for people: what failed and whether trying again
 * helps. Only the error's user message and codes are used, never an SDK message or a stack.
 */
import type { ProviderError } from '../../providers/errors';

/** The two sentences a failure is shown with. */
export interface ProviderFailureText {
  /** What failed, e.g. "The cloud API is throttling requests." */
  readonly what: string;
  /** Whether and when retrying helps. */
  readonly advice: string;
}

const ADVICE: Readonly<Record<ProviderError['code'], string>> = {
  throttled: 'This is temporary: try again in a few seconds.',
  auth_failed: 'Retrying will not help: the cloud credentials taskwatch uses were refused; ask an admin to check them.',
  permission_denied: 'Retrying will not help: the credentials lack permission for this API; ask an admin to grant it.',
  invalid_request: 'Retrying will not help: check the task ID, region and account.',
  not_found: 'Retrying will not help: check the task ID, region and account.',
  unavailable: 'This is probably temporary: try again in a minute.',
  timeout: 'This is probably temporary: try again in a minute.',
  not_configured: 'Retrying will not help: no credentials are configured for this cloud; ask an admin to add them.',
  internal: 'Try again; if it keeps failing, tell the taskwatch admins.',
};

/** Describes a provider failure. */
export function describeProviderFailure(error: Pick<ProviderError, 'code' | 'retryable' | 'userMessage'>): ProviderFailureText {
  const advice = ADVICE[error.code] ?? (error.retryable ? 'Try again later.' : 'Retrying will not help.');
  return { what: error.userMessage, advice };
}
