/**
 * Translates whatever `@alicloud/pop-core` throws into a {@link ProviderError}. Its errors are
 * dangerous to pass on: the `message` (and `url`, and `entry`) of every error holds the whole
 * signed request URL with the AccessKeyId, and an HTML answer makes it throw a plain object
 * carrying the page. Only the vendor `code`, the RequestId and the HTTP status are kept.
 */
import { ProviderError, type ProviderErrorCode } from './errors';

/** What the translator needs to know about the failed call. */
export interface AlibabaCallDescription {
  /** The rate-budget API label, e.g. `dcdn.DescribeDcdnRefreshTaskById`. */
  readonly api: string;
  readonly timeoutMs: number;
}

/** Classifies an Alibaba Cloud error code (the JSON body's `Code`). Order matters. */
export function classifyAlibabaErrorCode(code: string, httpStatus?: number): ProviderErrorCode {
  if (code === 'TooManyRequests' || code.startsWith('Throttling') || httpStatus === 429) return 'throttled';
  if (
    code.startsWith('InvalidAccessKeyId') ||
    code === 'SignatureDoesNotMatch' ||
    code === 'IncompleteSignature' ||
    code === 'SignatureNonceUsed' ||
    code.startsWith('InvalidTimeStamp') ||
    code.startsWith('InvalidSecurityToken')
  ) {
    return 'auth_failed';
  }
  if (code.startsWith('Forbidden') || code.startsWith('NoPermission') || code === 'InvalidAccessKeyId.Inactive') return 'permission_denied';
  // "The query time cannot exceed the last 3 days": the task aged out of what DCDN keeps.
  if (code === 'InvalidTime' || code.endsWith('NotFound') || code.startsWith('NotFound')) return 'not_found';
  if (code.startsWith('InvalidTaskId') || code.startsWith('InvalidParameter') || code.startsWith('MissingParameter') || code.startsWith('InvalidAction')) {
    return 'invalid_request';
  }
  if (code.startsWith('InternalError') || code.startsWith('ServiceUnavailable') || code === 'UnknownError' || (httpStatus !== undefined && httpStatus >= 500)) {
    return 'unavailable';
  }
  return 'internal';
}

const NETWORK_CODE = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE|ECONNABORTED)$/;

/** Translates any value thrown by a pop-core call. Never throws; never copies its message. */
export function translateAlibabaError(thrown: unknown, call: AlibabaCallDescription): ProviderError {
  if (thrown instanceof ProviderError) return thrown;
  const record = thrown !== null && typeof thrown === 'object' ? (thrown as Record<string, unknown>) : {};
  const data = record['data'];
  const code = typeof record['code'] === 'string' ? record['code'] : undefined;

  if (thrown instanceof Error && code !== undefined && data !== null && typeof data === 'object') {
    const body = data as Record<string, unknown>;
    const requestId = typeof body['RequestId'] === 'string' ? body['RequestId'] : undefined;
    const httpStatus = readHttpStatus(record['entry']);
    const kind = classifyAlibabaErrorCode(code, httpStatus);
    // "The query time cannot exceed the last 3 days": the task aged out of what DCDN keeps.
    const meaning =
      kind === 'auth_failed' && code.startsWith('InvalidTimeStamp')
        ? ({ meaning: 'clock_refused' } as const)
        : kind === 'not_found' && code === 'InvalidTime'
          ? ({ meaning: 'aged_out' } as const)
          : {};
    return new ProviderError({ code: kind, facts: { fact: 'vendor_code', cloud: 'alibaba', ...meaning }, providerCode: code, requestId, httpStatus, api: call.api });
  }

  const name = typeof record['name'] === 'string' ? record['name'] : '';
  const timedOut = (): ProviderError => new ProviderError({ code: 'timeout', facts: { fact: 'timed_out', cloud: 'alibaba', timeoutMs: call.timeoutMs }, api: call.api });
  if (name.includes('RequestTimeout')) return timedOut();
  if (code !== undefined && NETWORK_CODE.test(code)) {
    if (code === 'ETIMEDOUT') return timedOut();
    return new ProviderError({ code: 'unavailable', facts: { fact: 'unreachable', cloud: 'alibaba' }, providerCode: code, api: call.api });
  }
  if (!(thrown instanceof Error) && name === 'SyntaxError') {
    // json-bigint throws `{ name, message, at, text }` with the whole page in `text`.
    return new ProviderError({ code: 'unavailable', facts: { fact: 'unreadable_answer', cloud: 'alibaba', flaw: 'not_json' }, api: call.api });
  }
  return new ProviderError({ code: 'unavailable', facts: { fact: 'unreadable_answer', cloud: 'alibaba', flaw: 'no_answer' }, api: call.api });
}

function readHttpStatus(entry: unknown): number | undefined {
  if (entry === null || typeof entry !== 'object') return undefined;
  const response = (entry as Record<string, unknown>)['response'];
  if (response === null || typeof response !== 'object') return undefined;
  const status = (response as Record<string, unknown>)['statusCode'];
  return typeof status === 'number' ? status : undefined;
}
