/**
 * Server-side TC3-HMAC-SHA256 verification, as Tencent Cloud API 3.0 does it.
 *
 * One quirk of the Node SDK shapes it: the SDK signs `host` as the hostname without the port
 * but sends `Host` with it, and takes the credential scope's service from the first label of
 * the endpoint (`127` for 127.0.0.1). The sandbox therefore accepts the scope's service as
 * given and recomputes the signature over what the SDK signed.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { constantTimeEqual } from './constant-time';
import { SandboxApiError } from './sandbox-api-error';

/** The most a request's timestamp may differ from real time. */
export const TENCENT_TIMESTAMP_TOLERANCE_SECONDS = 300;

/** The parts of a TC3 `Authorization` header. */
export interface Tc3Authorization {
  readonly secretId: string;
  readonly date: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** What the verifier needs of a request. */
export interface Tc3Request {
  readonly method: string;
  readonly path: string;
  /** The raw query string without `?` (empty for POST). */
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const AUTHORIZATION_PATTERN =
  /^TC3-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s,]+)\/tc3_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** Parses a TC3 `Authorization` header; null when it is absent or malformed. */
export function parseTc3Authorization(header: string | undefined): Tc3Authorization | null {
  const match = header === undefined ? null : AUTHORIZATION_PATTERN.exec(header.trim());
  if (!match) return null;
  const [, secretId, date, service, signedHeaders, signature] = match as unknown as [string, string, string, string, string, string];
  return { secretId, date, service, signedHeaders: signedHeaders.split(';'), signature };
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function utcDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

/** Computes the TC3 signature of a request for the given canonical header values. */
export function computeTc3Signature(
  secretKey: string,
  authorization: Pick<Tc3Authorization, 'date' | 'service' | 'signedHeaders'>,
  timestamp: string,
  request: Pick<Tc3Request, 'method' | 'path' | 'rawQuery' | 'body'>,
  canonicalHeaderValues: ReadonlyMap<string, string>,
): string {
  const canonicalHeaders = authorization.signedHeaders.map((name) => `${name}:${canonicalHeaderValues.get(name) ?? ''}\n`).join('');
  const canonicalRequest = [
    request.method.toUpperCase(),
    request.path,
    request.rawQuery,
    canonicalHeaders,
    authorization.signedHeaders.join(';'),
    sha256Hex(request.body),
  ].join('\n');
  const credentialScope = `${authorization.date}/${authorization.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', timestamp, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const dateKey = hmac(`TC3${secretKey}`, authorization.date);
  const serviceKey = hmac(dateKey, authorization.service);
  const signingKey = hmac(serviceKey, 'tc3_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/**
 * Verifies a request's TC3 signature against real time `nowMs`, throwing the error Tencent
 * answers: `AuthFailure.InvalidAuthorization`, `AuthFailure.SignatureExpire`,
 * `AuthFailure.SecretIdNotFound` or `AuthFailure.SignatureFailure`.
 *
 * @param findSecretKey - the secret of a SecretId the sandbox accepts, or null.
 * @returns the verified SecretId.
 */
export function verifyTc3Request(
  request: Tc3Request,
  authorization: Tc3Authorization | null,
  findSecretKey: (secretId: string) => string | null,
  nowMs: number,
): string {
  if (authorization === null) {
    throw new SandboxApiError('AuthFailure.InvalidAuthorization', 'Authorization header is missing or not in TC3-HMAC-SHA256 format.');
  }
  if (!authorization.signedHeaders.includes('content-type') || !authorization.signedHeaders.includes('host')) {
    throw new SandboxApiError('AuthFailure.InvalidAuthorization', 'SignedHeaders must include content-type and host.');
  }
  const timestamp = headerValue(request.headers, 'x-tc-timestamp');
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) {
    throw new SandboxApiError('MissingParameter', 'The request is missing a valid X-TC-Timestamp header.');
  }
  const skewSeconds = Math.abs(Math.floor(nowMs / 1000) - Number(timestamp));
  if (skewSeconds > TENCENT_TIMESTAMP_TOLERANCE_SECONDS) {
    throw new SandboxApiError(
      'AuthFailure.SignatureExpire',
      `Signature expired: the request timestamp is ${skewSeconds} seconds away from server time; at most ${TENCENT_TIMESTAMP_TOLERANCE_SECONDS} are allowed.`,
    );
  }
  if (authorization.date !== utcDate(Number(timestamp))) {
    throw new SandboxApiError('AuthFailure.InvalidAuthorization', 'The credential scope date does not match X-TC-Timestamp.');
  }
  const secretKey = findSecretKey(authorization.secretId);
  if (secretKey === null) {
    throw new SandboxApiError('AuthFailure.SecretIdNotFound', 'The SecretId is not found; check that it is correct and active.');
  }

  const baseValues = new Map<string, string>();
  for (const name of authorization.signedHeaders) {
    baseValues.set(name, (headerValue(request.headers, name) ?? '').trim().toLowerCase());
  }
  // Real clients sign `host` as sent; the Node SDK signs it without the port. Both are genuine.
  const candidates = [baseValues];
  const host = baseValues.get('host') ?? '';
  const hostWithoutPort = host.replace(/:\d+$/, '');
  if (hostWithoutPort !== host) candidates.push(new Map(baseValues).set('host', hostWithoutPort));

  let matched = false;
  for (const values of candidates) {
    const expected = computeTc3Signature(secretKey, authorization, timestamp, request, values);
    // Every candidate is compared, so the time taken does not depend on which one matched.
    if (constantTimeEqual(expected, authorization.signature)) matched = true;
  }
  if (!matched) {
    throw new SandboxApiError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
  }
  return authorization.secretId;
}
