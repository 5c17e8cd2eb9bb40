/**
 * What a watch's first card says when the check made before posting it gave no status
 * (`StatusCard.unchecked`): a short headline in place of the state, and why, shared by every
 * chat surface. Never "Unknown": the channel is told what went wrong and that polling goes on.
 */
import type { UncheckedReason } from '../../jobs/notifier';

/** The headline and the sentence of an unchecked card. */
export interface UncheckedPresentation {
  readonly mark: string;
  /** Shown where the state would be, e.g. "Not checked yet". */
  readonly label: string;
  /** Why, and what happens next. */
  readonly reason: string;
}

const LATER = 'taskwatch checks again shortly and edits this card.';

const REASONS: Readonly<Record<UncheckedReason, UncheckedPresentation>> = {
  throttled: { mark: '⏸️', label: 'Not checked yet', reason: `The cloud API is throttling requests (rate limit); ${LATER}` },
  timeout: { mark: '⏸️', label: 'Not checked yet', reason: `The cloud API did not answer in time; ${LATER}` },
  unavailable: { mark: '⏸️', label: 'Not checked yet', reason: `The cloud API is unavailable; ${LATER}` },
  internal: { mark: '⏸️', label: 'Not checked yet', reason: `The check failed; ${LATER}` },
  not_found: { mark: '🔍', label: 'Not found', reason: 'The cloud does not know this task (or its instance); check the ID, region and account.' },
  auth_failed: { mark: '⛔', label: 'Refused', reason: 'The cloud refused the credentials taskwatch uses; ask an admin to check them.' },
  permission_denied: { mark: '⛔', label: 'Refused', reason: 'The credentials taskwatch uses lack permission for this API; ask an admin to grant it.' },
  invalid_request: { mark: '⛔', label: 'Refused', reason: 'The cloud refused the request; check the task ID, region and account.' },
  not_configured: { mark: '⛔', label: 'Refused', reason: 'No cloud credentials are configured for this account; ask an admin to add them.' },
  replaced: { mark: '⏭️', label: 'Not the latest task', reason: 'The cloud reports a newer task as the latest one; this one can no longer be checked.' },
};

/** How an unchecked card presents itself. */
export function presentUnchecked(reason: UncheckedReason): UncheckedPresentation {
  return REASONS[reason];
}
