import TencentCloudSDKHttpException from 'tencentcloud-sdk-nodejs/tencentcloud/common/exception/tencent_cloud_sdk_exception';
import { classifyAlibabaErrorCode, translateAlibabaError } from '../../../src/providers/alibaba-errors';
import type { ProviderErrorCode } from '../../../src/providers/errors';
import { classifyTencentErrorCode, translateTencentError } from '../../../src/providers/tencent-errors';
import { providerFailureText } from '../../../src/commands/messages';

const TENCENT_CALL = { api: 'cdn.DescribePushTasks', timeoutMs: 10_000 };
const ALIBABA_CALL = { api: 'dcdn.DescribeDcdnRefreshTaskById', timeoutMs: 3000 };
const SIGNED_URL = 'http://127.0.0.1:9001/?AccessKeyId=LTAIexample12345&Action=DescribeDcdnRefreshTaskById&Signature=abc%3D';

describe('classifyTencentErrorCode', () => {
  it.each<[string, ProviderErrorCode]>([
    ['RequestLimitExceeded', 'throttled'],
    ['RequestLimitExceeded.UinLimitExceeded', 'throttled'],
    ['LimitExceeded.CdnHostOpTooOften', 'throttled'],
    ['UnauthorizedOperation.OperationTooOften', 'throttled'],
    ['AuthFailure.SignatureFailure', 'auth_failed'],
    ['AuthFailure.SignatureExpire', 'auth_failed'],
    ['AuthFailure.SecretIdNotFound', 'auth_failed'],
    ['AuthFailure.UnauthorizedOperation', 'permission_denied'],
    ['UnauthorizedOperation.CdnCamUnauthorized', 'permission_denied'],
    ['InvalidParameter.PermissionDenied', 'permission_denied'],
    ['OperationDenied.BizOperationDeniedError', 'permission_denied'],
    ['ResourceNotFound', 'not_found'],
    ['ResourceNotFound.CdnUserNotExists', 'not_found'],
    ['InvalidParameter', 'invalid_request'],
    ['InvalidParameter.CdnParamError', 'invalid_request'],
    ['InvalidParameterValue', 'invalid_request'],
    ['MissingParameter', 'invalid_request'],
    ['UnsupportedOperation', 'invalid_request'],
    ['InternalError', 'unavailable'],
    ['InternalError.CdnSystemError', 'unavailable'],
    ['FailedOperation.SystemError', 'unavailable'],
    ['SomethingNew.NeverSeen', 'internal'],
  ])('given %s, then it is %s', (code, expected) => {
    expect(classifyTencentErrorCode(code)).toBe(expected);
  });
});

function tencentError(code: string | undefined, options: { httpCode?: number; message?: string; requestId?: string } = {}): TencentCloudSDKHttpException {
  const error = new TencentCloudSDKHttpException(options.message ?? 'The provided credentials could not be validated, SecretId=AKIDsecret', options.requestId ?? 'req-1');
  if (code !== undefined) error.code = code;
  if (options.httpCode !== undefined) error.httpCode = options.httpCode;
  return error;
}

describe('translateTencentError', () => {
  it('given a throttling code, then the error is throttled, retryable, and keeps code and RequestId but not the SDK message', () => {
    const error = translateTencentError(tencentError('RequestLimitExceeded'), TENCENT_CALL);
    expect(error).toMatchObject({ code: 'throttled', retryable: true, providerCode: 'RequestLimitExceeded', requestId: 'req-1', api: 'cdn.DescribePushTasks' });
    expect(providerFailureText(error)).toContain('RequestLimitExceeded');
    expect(providerFailureText(error)).toContain('req-1');
    expect(JSON.stringify(error)).not.toContain('AKIDsecret');
  });

  it('given a refused signature, then the message says the credentials were refused', () => {
    const error = translateTencentError(tencentError('AuthFailure.SignatureFailure'), TENCENT_CALL);
    expect(error).toMatchObject({ code: 'auth_failed', retryable: false });
    expect(providerFailureText(error)).toMatch(/refused the credentials/);
  });

  it('given an expired signature, then the message points at the clock', () => {
    expect(providerFailureText(translateTencentError(tencentError('AuthFailure.SignatureExpire'), TENCENT_CALL))).toMatch(/clock/);
  });

  it('given a non-200 reply, then it is unavailable with the HTTP status', () => {
    const error = translateTencentError(tencentError(undefined, { httpCode: 502, message: 'Bad Gateway', requestId: '' }), TENCENT_CALL);
    expect(error).toMatchObject({ code: 'unavailable', retryable: true, httpStatus: 502 });
  });

  it('given a network timeout, then it is a timeout that names the limit and not the URL', () => {
    const error = translateTencentError(tencentError(undefined, { message: 'network timeout at: http://127.0.0.1:9000/', requestId: '' }), TENCENT_CALL);
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(providerFailureText(error)).toContain('10 s');
    expect(providerFailureText(error)).not.toContain('127.0.0.1');
  });

  it('given a refused connection, then it is unavailable with the errno code only', () => {
    const error = translateTencentError(
      tencentError(undefined, { message: 'request to http://127.0.0.1:9000/ failed, reason: connect ECONNREFUSED 127.0.0.1:9000', requestId: '' }),
      TENCENT_CALL,
    );
    expect(error).toMatchObject({ code: 'unavailable', providerCode: 'ECONNREFUSED' });
    expect(providerFailureText(error)).not.toContain('127.0.0.1');
  });

  it('given something that is not an SDK exception (an unparsable body), then it is unavailable', () => {
    const error = translateTencentError(new SyntaxError('Unexpected token < in JSON at position 0: <html>secret'), TENCENT_CALL);
    expect(error.code).toBe('unavailable');
    expect(providerFailureText(error)).not.toContain('secret');
  });
});

describe('classifyAlibabaErrorCode', () => {
  it.each<[string, number | undefined, ProviderErrorCode]>([
    ['TooManyRequests', 429, 'throttled'],
    ['Throttling.User', 400, 'throttled'],
    ['InvalidAccessKeyId.NotFound', 404, 'auth_failed'],
    ['SignatureDoesNotMatch', 400, 'auth_failed'],
    ['SignatureNonceUsed', 400, 'auth_failed'],
    ['InvalidTimeStamp.Expired', 400, 'auth_failed'],
    ['Forbidden.RAM', 403, 'permission_denied'],
    ['InvalidTime', 400, 'not_found'],
    ['InvalidTaskId', 400, 'invalid_request'],
    ['InvalidTaskId.Malformed', 400, 'invalid_request'],
    ['InvalidParameters', 400, 'invalid_request'],
    ['InternalError', 500, 'unavailable'],
    ['ServiceUnavailable', 503, 'unavailable'],
    ['Weird', 502, 'unavailable'],
    ['Weird', 400, 'internal'],
  ])('given %s with HTTP %s, then it is %s', (code, status, expected) => {
    expect(classifyAlibabaErrorCode(code, status)).toBe(expected);
  });
});

/** Builds an error the way pop-core does: message and url hold the signed URL. */
function popCoreError(code: string, statusCode: number): Error {
  const error = new Error(`Specified signature is not matched with our calculation., URL: ${SIGNED_URL}`) as Error & Record<string, unknown>;
  error.name = `${code}Error`;
  error['code'] = code;
  error['data'] = { Code: code, Message: 'Specified signature is not matched', RequestId: 'ALI-REQ-1' };
  error['url'] = SIGNED_URL;
  error['entry'] = { url: SIGNED_URL, request: { headers: {} }, response: { statusCode, headers: {} } };
  return error;
}

describe('translateAlibabaError', () => {
  it("given pop-core's refused-signature error, then auth_failed keeps code, RequestId and status but nothing of the signed URL", () => {
    const error = translateAlibabaError(popCoreError('SignatureDoesNotMatch', 400), ALIBABA_CALL);
    expect(error).toMatchObject({ code: 'auth_failed', providerCode: 'SignatureDoesNotMatch', requestId: 'ALI-REQ-1', httpStatus: 400 });
    for (const rendering of [providerFailureText(error), error.message, String(error), JSON.stringify(error), error.stack ?? '']) {
      expect(rendering).not.toContain('LTAIexample12345');
      expect(rendering).not.toContain('Signature=');
    }
  });

  it('given InvalidTime, then it is not_found and says DCDN keeps 3 days', () => {
    const error = translateAlibabaError(popCoreError('InvalidTime', 400), ALIBABA_CALL);
    expect(error.code).toBe('not_found');
    expect(providerFailureText(error)).toMatch(/3 days/);
  });

  it("given json-bigint's plain thrown object for an HTML body, then it is unavailable without the page", () => {
    const thrown = { name: 'SyntaxError', message: "Unexpected '<'", at: 1, text: '<html>502 Bad Gateway nginx</html>' };
    const error = translateAlibabaError(thrown, ALIBABA_CALL);
    expect(error.code).toBe('unavailable');
    expect(JSON.stringify(error)).not.toContain('nginx');
  });

  it("given httpx's read timeout, then it is a timeout naming the limit", () => {
    const thrown = new Error(`ReadTimeout(3000). GET ${SIGNED_URL} failed.`);
    thrown.name = 'RequestTimeoutError';
    const error = translateAlibabaError(thrown, ALIBABA_CALL);
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(providerFailureText(error)).toContain('3 s');
    expect(providerFailureText(error)).not.toContain('LTAI');
  });

  it('given a refused connection, then it is unavailable with the errno code', () => {
    const thrown = Object.assign(new Error(`connect ECONNREFUSED GET ${SIGNED_URL} failed.`), { code: 'ECONNREFUSED' });
    expect(translateAlibabaError(thrown, ALIBABA_CALL)).toMatchObject({ code: 'unavailable', providerCode: 'ECONNREFUSED' });
  });
});
