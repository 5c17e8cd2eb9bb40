/**
 * Reads a Slack Web API failure without ever keeping its message text, which for request
 * errors can include the URL and for platform errors the whole response. Only the
 * method, Slack's error word and the Retry-After are kept, so the result is safe to log.
 */

/** What went wrong in one Web API call, safe to log and to show. */
export interface SlackApiFailure {
  /** The Web API method, e.g. `chat.postMessage`. */
  readonly method: string;
  /** `rate_limited`, Slack's own error word (`channel_not_found`), `http_<status>`, or `request_failed`. */
  readonly reason: string;
  /** Milliseconds Slack asked us to wait, for a 429. */
  readonly retryAfterMs: number | null;
}

/** Error code the web client gives a 429 when `rejectRateLimitedCalls` is on. */
const RATE_LIMITED_CODE = 'slack_webapi_rate_limited_error';
const PLATFORM_ERROR_CODE = 'slack_webapi_platform_error';
const HTTP_ERROR_CODE = 'slack_webapi_http_error';

/** Classifies an error thrown by `@slack/web-api`. */
export function readSlackApiFailure(method: string, error: unknown): SlackApiFailure {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const code = record['code'];
  if (code === RATE_LIMITED_CODE) {
    const seconds = Number(record['retryAfter']);
    return { method, reason: 'rate_limited', retryAfterMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000 };
  }
  if (code === PLATFORM_ERROR_CODE) {
    const data = record['data'] as Record<string, unknown> | undefined;
    const word = typeof data?.['error'] === 'string' ? data['error'] : 'unknown_error';
    return { method, reason: /^[a-z_]{1,64}$/.test(word) ? word : 'unknown_error', retryAfterMs: null };
  }
  if (code === HTTP_ERROR_CODE) {
    return { method, reason: `http_${Number(record['statusCode']) || 0}`, retryAfterMs: null };
  }
  return { method, reason: 'request_failed', retryAfterMs: null };
}

/** Thrown by taskwatch's Slack code for a failed Web API call other than a rate limit. */
export class SlackApiError extends Error {
  override readonly name = 'SlackApiError';
  constructor(readonly failure: SlackApiFailure) {
    super(`Slack ${failure.method} failed: ${failure.reason}`);
  }
}
