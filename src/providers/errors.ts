/**
 * Typed errors at the provider boundary. Vendor exceptions never travel past
 * `src/providers`: each is translated into a {@link ProviderError} that carries a code and the
 * facts of the failure (no keys, no signed URLs, no SDK text). Providers write no sentence:
 * `providerFailureText` in `src/commands/messages.ts` words the facts for every surface.
 */
import type { CloudName, TaskKind } from './types';

/** Stable error codes that callers branch on. */
export type ProviderErrorCode =
  /** The API throttled us (RequestLimitExceeded, TooManyRequests, Throttling*). */
  | 'throttled'
  /** The credentials were refused (wrong key, wrong signature, expired signature). */
  | 'auth_failed'
  /** The credentials are valid but lack permission for this API. */
  | 'permission_denied'
  /** The request itself is wrong (bad ID format, bad region, bad parameter). */
  | 'invalid_request'
  /** The task does not exist or can no longer be queried. */
  | 'not_found'
  /** The provider answered with a server error or an unreadable body. */
  | 'unavailable'
  /** The call did not finish in time. */
  | 'timeout'
  /** No credentials are configured for the cloud this kind needs. */
  | 'not_configured'
  /** Anything else. */
  | 'internal';

/** The vendor answered with an error code; its class is the error's `code`, the code itself `providerCode`. */
export interface VendorCodeFailure {
  readonly fact: 'vendor_code';
  readonly cloud: CloudName;
  /** What the vendor code says beyond its class: the request's clock was refused, or the task aged out of what the API keeps. */
  readonly meaning?: 'clock_refused' | 'aged_out';
}

/** Something between us and the vendor answered a non-success HTTP status (`httpStatus`). */
export interface HttpStatusFailure {
  readonly fact: 'http_status';
  readonly cloud: CloudName;
  /** Whether the vendor's RequestId belongs in the words (Alibaba's body carries one; a Tencent non-200 has lost it). */
  readonly withRequestId: boolean;
}

/** The answer came but could not be read; `flaw` says how. */
export interface UnreadableAnswerFailure {
  readonly fact: 'unreadable_answer';
  readonly cloud: CloudName;
  readonly flaw: 'not_api_response' | 'not_json' | 'no_response_object' | 'no_request_id' | 'no_task_list' | 'unreadable_field' | 'no_answer';
  /** The vendor service whose answer it was, e.g. `CDN`, when narrower than the cloud. */
  readonly service?: string;
  /** The response field that could not be read, e.g. `PushLogs`. */
  readonly field?: string;
}

/** The call got no answer: no connection (`providerCode` holds the network code, when known). */
export interface UnreachableFailure {
  readonly fact: 'unreachable';
  readonly cloud: CloudName;
}

/** The call did not answer within `timeoutMs`. */
export interface TimedOutFailure {
  readonly fact: 'timed_out';
  readonly cloud: CloudName;
  readonly timeoutMs: number;
}

/** The call was cancelled before it answered. */
export interface CancelledFailure {
  readonly fact: 'cancelled';
  readonly cloud: CloudName;
}

/** The rate budget's wait was given up. */
export interface BudgetGivenUpFailure {
  readonly fact: 'budget_given_up';
}

/** A listing window ends before it starts. */
export interface WindowReversedFailure {
  readonly fact: 'window_reversed';
}

/** An ID cannot be a task ID of `kind`; `shown` is the ID as it may be quoted (cut to 40 characters). */
export interface InvalidTaskIdFailure {
  readonly fact: 'invalid_task_id';
  readonly kind: TaskKind;
  readonly problem: 'empty_id' | 'id_too_long' | 'not_whole_number' | 'not_token';
  readonly shown: string;
  /** The longest task ID, for `id_too_long`. */
  readonly maxLength: number;
}

/** A region-scoped kind got no region, and its account has no default one. */
export interface RegionNeededFailure {
  readonly fact: 'region_needed';
  readonly kind: TaskKind;
}

/** No credentials for `cloud`: under the environment's account, or under the named `account` (cut to 40 characters). */
export interface NoCredentialsFailure {
  readonly fact: 'no_credentials';
  readonly cloud: CloudName;
  /** The account asked for; absent for the environment's (default) account. */
  readonly account?: string;
}

/** Why a provider call failed, as facts; worded in one place, `providerFailureText` in `src/commands/messages.ts`. */
export type ProviderFailureFacts =
  | VendorCodeFailure
  | HttpStatusFailure
  | UnreadableAnswerFailure
  | UnreachableFailure
  | TimedOutFailure
  | CancelledFailure
  | BudgetGivenUpFailure
  | WindowReversedFailure
  | InvalidTaskIdFailure
  | RegionNeededFailure
  | NoCredentialsFailure;

/** Construction details for a {@link ProviderError}. */
export interface ProviderErrorDetails {
  readonly code: ProviderErrorCode;
  /** What happened, as facts; never secrets or SDK messages. */
  readonly facts: ProviderFailureFacts;
  /** Whether trying the same call again later may succeed. */
  readonly retryable?: boolean;
  /** The vendor's own error code, e.g. `AuthFailure.SignatureFailure`. Safe to show. */
  readonly providerCode?: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  /** The rate-budget API label or vendor action, e.g. `cdn.DescribePushTasks`. */
  readonly api?: string;
  /** Milliseconds the provider asked us to wait, when it said. */
  readonly retryAfterMs?: number;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<ProviderErrorCode> = new Set(['throttled', 'unavailable', 'timeout']);

/** A failure of a whole provider call, safe to show and to log. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly facts: ProviderFailureFacts;
  readonly providerCode: string | undefined;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly api: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(details: ProviderErrorDetails) {
    // Codes, not a sentence: `message` reaches logs and stack traces, never a user.
    super(`${details.code} (${details.facts.fact})`);
    this.code = details.code;
    this.facts = details.facts;
    this.retryable = details.retryable ?? RETRYABLE_BY_DEFAULT.has(details.code);
    this.providerCode = details.providerCode;
    this.requestId = details.requestId;
    this.httpStatus = details.httpStatus;
    this.api = details.api;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** A log-safe summary: codes and IDs only. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      retryable: this.retryable,
      providerCode: this.providerCode,
      requestId: this.requestId,
      httpStatus: this.httpStatus,
      api: this.api,
      message: this.message,
      facts: this.facts,
    };
  }
}

/** Type guard for {@link ProviderError}. */
export function isProviderError(value: unknown): value is ProviderError {
  return value instanceof ProviderError;
}
