/**
 * Typed errors at the provider boundary. Vendor exceptions never travel past
 * `src/providers`: each is translated into a {@link ProviderError} whose message is safe to
 * show a user (no keys, no signed URLs, no SDK text).
 */

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

/** Construction details for a {@link ProviderError}. */
export interface ProviderErrorDetails {
  readonly code: ProviderErrorCode;
  /** A short sentence a user can read; must never contain secrets or SDK messages. */
  readonly userMessage: string;
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
  readonly userMessage: string;
  readonly providerCode: string | undefined;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly api: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(details: ProviderErrorDetails) {
    super(details.userMessage);
    this.code = details.code;
    this.userMessage = details.userMessage;
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
      message: this.userMessage,
    };
  }
}

/** Type guard for {@link ProviderError}. */
export function isProviderError(value: unknown): value is ProviderError {
  return value instanceof ProviderError;
}
