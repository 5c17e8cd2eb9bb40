/**
 * Translates whatever `@alicloud/pop-core` throws into a {@link ProviderError}. Its errors are
 * dangerous to pass on: the `message` (and `url`, and `entry`) of every error holds the whole
 * signed request URL with the AccessKeyId, and an HTML answer makes it throw a plain object
 * carrying the page. Only the vendor `code`, the RequestId and the HTTP status are kept.
 */
import { ProviderError, type ProviderErrorCode } from './errors';
import { formatSeconds } from './tencent-errors';

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
    const reference = requestId ? `${code}, RequestId ${requestId}` : code;
    const base = { code: kind, providerCode: code, requestId, httpStatus, api: call.api } as const;
    switch (kind) {
      case 'throttled':
        return new ProviderError({ ...base, userMessage: `Alibaba Cloud is throttling ${call.api} (${reference}); try again shortly.` });
      case 'auth_failed':
        return new ProviderError({
          ...base,
          userMessage:
            code.startsWith('InvalidTimeStamp')
              ? `Alibaba Cloud refused the request's timestamp (${reference}): check this machine's clock.`
              : `Alibaba Cloud refused the credentials (${reference}): check the AccessKey ID and secret.`,
        });
      case 'permission_denied':
        return new ProviderError({ ...base, userMessage: `These Alibaba Cloud credentials are not allowed to call ${call.api} (${reference}).` });
      case 'not_found':
        return new ProviderError({
          ...base,
          userMessage:
            code === 'InvalidTime'
              ? `DCDN no longer has this task: it keeps only the last 3 days (${reference}).`
              : `Alibaba Cloud found no such resource (${reference}).`,
        });
      case 'invalid_request':
        return new ProviderError({ ...base, userMessage: `Alibaba Cloud rejected the request (${reference}).` });
      case 'unavailable':
        return new ProviderError({ ...base, userMessage: `Alibaba Cloud had an internal error (${reference}); try again later.` });
      default:
        return new ProviderError({ ...base, userMessage: `Alibaba Cloud answered with error ${reference}.` });
    }
  }

  const name = typeof record['name'] === 'string' ? record['name'] : '';
  if (name.includes('RequestTimeout')) {
    return new ProviderError({ code: 'timeout', userMessage: `Alibaba Cloud did not answer within ${formatSeconds(call.timeoutMs)}.`, api: call.api });
  }
  if (code !== undefined && NETWORK_CODE.test(code)) {
    if (code === 'ETIMEDOUT') {
      return new ProviderError({ code: 'timeout', userMessage: `Alibaba Cloud did not answer within ${formatSeconds(call.timeoutMs)}.`, api: call.api });
    }
    return new ProviderError({ code: 'unavailable', userMessage: `Could not reach Alibaba Cloud (${code}).`, providerCode: code, api: call.api });
  }
  if (!(thrown instanceof Error) && name === 'SyntaxError') {
    // json-bigint throws `{ name, message, at, text }` with the whole page in `text`.
    return new ProviderError({
      code: 'unavailable',
      userMessage: 'Alibaba Cloud answered with something that is not JSON (an error page?); try again later.',
      api: call.api,
    });
  }
  return new ProviderError({ code: 'unavailable', userMessage: 'Could not get an answer from Alibaba Cloud; try again later.', api: call.api });
}

function readHttpStatus(entry: unknown): number | undefined {
  if (entry === null || typeof entry !== 'object') return undefined;
  const response = (entry as Record<string, unknown>)['response'];
  if (response === null || typeof response !== 'object') return undefined;
  const status = (response as Record<string, unknown>)['statusCode'];
  return typeof status === 'number' ? status : undefined;
}
