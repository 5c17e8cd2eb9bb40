/**
 * Translates whatever the Tencent Cloud SDK throws into a {@link ProviderError}. The SDK's
 * messages are never copied: a network error's message carries the request URL, and a service
 * message is free text we do not control. Users see the error code and the RequestId, which
 * are what Tencent support asks for.
 */
import TencentCloudSDKHttpException from 'tencentcloud-sdk-nodejs/tencentcloud/common/exception/tencent_cloud_sdk_exception';
import { ProviderError, type ProviderErrorCode } from './errors';

/** What the translator needs to know about the failed call. */
export interface TencentCallDescription {
  /** The rate-budget API label, e.g. `cdn.DescribePushTasks`. */
  readonly api: string;
  readonly timeoutMs: number;
}

/**
 * Classifies a Tencent Cloud error code (`Response.Error.Code`). Order matters: the throttling
 * and permission codes hide under prefixes that otherwise mean something else.
 */
export function classifyTencentErrorCode(code: string): ProviderErrorCode {
  if (code.startsWith('RequestLimitExceeded') || code.startsWith('LimitExceeded') || code === 'UnauthorizedOperation.OperationTooOften') {
    return 'throttled';
  }
  // A signed, valid request whose account lacks the CAM policy: the key works, the permission does not.
  if (code === 'AuthFailure.UnauthorizedOperation') return 'permission_denied';
  if (code.startsWith('AuthFailure')) return 'auth_failed';
  if (code.startsWith('UnauthorizedOperation') || code.endsWith('PermissionDenied') || code.startsWith('OperationDenied')) {
    return 'permission_denied';
  }
  if (code.startsWith('ResourceNotFound')) return 'not_found';
  if (
    code.startsWith('InvalidParameter') ||
    code.startsWith('MissingParameter') ||
    code.startsWith('UnknownParameter') ||
    code.startsWith('UnsupportedRegion') ||
    code.startsWith('UnsupportedOperation') ||
    code.startsWith('ResourceUnavailable') ||
    code.startsWith('InvalidAction')
  ) {
    return 'invalid_request';
  }
  if (code.startsWith('InternalError') || code.endsWith('SystemError') || code === 'ServiceUnavailable' || code === 'RequestTimeout') {
    return 'unavailable';
  }
  return 'internal';
}

const NETWORK_CODE = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE|ECONNABORTED)\b/;

/** Translates any error thrown by a Tencent SDK call. Never throws; never copies the SDK's message. */
export function translateTencentError(error: unknown, call: TencentCallDescription): ProviderError {
  if (error instanceof ProviderError) return error;
  if (!(error instanceof TencentCloudSDKHttpException)) {
    // The SDK parses the body outside its own try: an HTML or truncated answer surfaces as a
    // plain SyntaxError/FetchError/TypeError.
    return new ProviderError({
      code: 'unavailable',
      userMessage: 'Tencent Cloud answered with something that is not a readable API response; try again later.',
      api: call.api,
    });
  }
  const requestId = error.requestId || undefined;
  const reference = (code: string): string => (requestId ? `${code}, RequestId ${requestId}` : code);

  if (typeof error.code === 'string' && error.code !== '') {
    const providerCode = error.code;
    const code = classifyTencentErrorCode(providerCode);
    const base = { code, providerCode, requestId, api: call.api } as const;
    switch (code) {
      case 'throttled':
        return new ProviderError({ ...base, userMessage: `Tencent Cloud is throttling ${call.api} (${reference(providerCode)}); try again shortly.` });
      case 'auth_failed':
        return new ProviderError({
          ...base,
          userMessage:
            providerCode === 'AuthFailure.SignatureExpire'
              ? `Tencent Cloud refused the request's timestamp (${reference(providerCode)}): check this machine's clock.`
              : `Tencent Cloud refused the credentials (${reference(providerCode)}): check the SecretId and SecretKey.`,
        });
      case 'permission_denied':
        return new ProviderError({
          ...base,
          userMessage: `These Tencent Cloud credentials are not allowed to call ${call.api} (${reference(providerCode)}).`,
        });
      case 'not_found':
        return new ProviderError({ ...base, userMessage: `Tencent Cloud found no such resource (${reference(providerCode)}).` });
      case 'invalid_request':
        return new ProviderError({ ...base, userMessage: `Tencent Cloud rejected the request (${reference(providerCode)}).` });
      case 'unavailable':
        return new ProviderError({ ...base, userMessage: `Tencent Cloud had an internal error (${reference(providerCode)}); try again later.` });
      default:
        return new ProviderError({ ...base, userMessage: `Tencent Cloud answered with error ${reference(providerCode)}.` });
    }
  }

  if (typeof error.httpCode === 'number') {
    // Real Tencent answers errors with HTTP 200; any other status comes from something in between.
    return new ProviderError({
      code: 'unavailable',
      userMessage: `Tencent Cloud answered HTTP ${error.httpCode}; try again later.`,
      httpStatus: error.httpCode,
      requestId,
      api: call.api,
    });
  }

  // No code and no status: the request never got an answer. The message is only read to
  // classify it, never shown, because it contains the request URL.
  const text = typeof error.message === 'string' ? error.message : '';
  if (/network timeout/i.test(text) || /\bETIMEDOUT\b/.test(text)) {
    return new ProviderError({
      code: 'timeout',
      userMessage: `Tencent Cloud did not answer within ${formatSeconds(call.timeoutMs)}.`,
      api: call.api,
    });
  }
  if (/abort/i.test(text)) {
    return new ProviderError({ code: 'timeout', userMessage: 'The Tencent Cloud call was cancelled before it answered.', api: call.api });
  }
  const networkCode = NETWORK_CODE.exec(text)?.[1];
  return new ProviderError({
    code: 'unavailable',
    userMessage: networkCode ? `Could not reach Tencent Cloud (${networkCode}).` : 'Could not reach Tencent Cloud.',
    providerCode: networkCode,
    api: call.api,
  });
}

/** Formats a timeout for messages, e.g. 10000 -> "10 s", 250 -> "0.25 s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}
