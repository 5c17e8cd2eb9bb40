/**
 * Translates whatever the Tencent Cloud SDK throws into a {@link ProviderError}. The SDK's
 * messages are never copied: a network error's message carries the request URL, and a service
 * message is free text we do not control. The error keeps the code and the RequestId, which
 * are what Tencent support asks for; `providerFailureText` in `src/commands/messages.ts` words them.
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
    return new ProviderError({ code: 'unavailable', facts: { fact: 'unreadable_answer', cloud: 'tencent', flaw: 'not_api_response' }, api: call.api });
  }
  const requestId = error.requestId || undefined;

  if (typeof error.code === 'string' && error.code !== '') {
    const providerCode = error.code;
    const code = classifyTencentErrorCode(providerCode);
    const meaning = code === 'auth_failed' && providerCode === 'AuthFailure.SignatureExpire' ? ({ meaning: 'clock_refused' } as const) : {};
    return new ProviderError({ code, facts: { fact: 'vendor_code', cloud: 'tencent', ...meaning }, providerCode, requestId, api: call.api });
  }

  if (typeof error.httpCode === 'number') {
    // Real Tencent answers errors with HTTP 200; any other status comes from something in between.
    return new ProviderError({
      code: 'unavailable',
      facts: { fact: 'http_status', cloud: 'tencent', withRequestId: false },
      httpStatus: error.httpCode,
      requestId,
      api: call.api,
    });
  }

  // No code and no status: the request never got an answer. The message is only read to
  // classify it, never shown, because it contains the request URL.
  const text = typeof error.message === 'string' ? error.message : '';
  if (/network timeout/i.test(text) || /\bETIMEDOUT\b/.test(text)) {
    return new ProviderError({ code: 'timeout', facts: { fact: 'timed_out', cloud: 'tencent', timeoutMs: call.timeoutMs }, api: call.api });
  }
  if (/abort/i.test(text)) {
    return new ProviderError({ code: 'timeout', facts: { fact: 'cancelled', cloud: 'tencent' }, api: call.api });
  }
  const networkCode = NETWORK_CODE.exec(text)?.[1];
  return new ProviderError({ code: 'unavailable', facts: { fact: 'unreachable', cloud: 'tencent' }, providerCode: networkCode, api: call.api });
}

