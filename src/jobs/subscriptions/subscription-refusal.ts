/**
 * Why the subscription engine refuses a subscription, or cannot sweep one, as facts: a reason
 * and its data, never a sentence. `src/commands/messages.ts` (`subscriptionRefusalText`) words
 * them for command replies; logs carry them as they are.
 */
import type { TaskKind } from '../../providers/types';

/** Channels cannot subscribe to tasks of `kind` (its descriptor has no `subscription`). */
export interface NotSubscribableRefusal {
  readonly reason: 'not_subscribable';
  readonly kind: TaskKind;
}

/**
 * The provider of `kind` cannot list tasks by window, which subscriptions to a kind that lists
 * by window need. `scope` says whom it is said of: the account a subscriber asked for
 * (refused at subscribe), or the provider a sweep was given (the sweep fails and is tried again).
 */
export interface CannotListRefusal {
  readonly reason: 'cannot_list';
  readonly kind: TaskKind;
  readonly scope: 'provider' | 'account';
}

/** Why a subscription was refused or its sweep could not run. */
export type SubscriptionRefusal = NotSubscribableRefusal | CannotListRefusal;

/** Thrown by `SubscriptionService.subscribe` (and a sweep) with the facts of the refusal. */
export class SubscriptionRefusedError extends Error {
  override readonly name = 'SubscriptionRefusedError';
  readonly facts: SubscriptionRefusal;

  constructor(facts: SubscriptionRefusal) {
    // A code, not a sentence: `message` reaches logs and stack traces, never a user.
    super(`subscription refused (${facts.reason})`);
    this.facts = facts;
  }

  /** A log-safe summary: the reason and its facts. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.facts.reason, message: this.message, facts: this.facts };
  }
}

/** Type guard for {@link SubscriptionRefusedError}. */
export function isSubscriptionRefusedError(error: unknown): error is SubscriptionRefusedError {
  return error instanceof SubscriptionRefusedError;
}
