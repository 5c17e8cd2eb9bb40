/**
 * Server-side verification of Alibaba Cloud's RPC signature, version 1.0 (HMAC-SHA1), as
 * `@alicloud/pop-core` signs it, with the replay protection the real gateway applies.
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './constant-time';
import { SandboxApiError } from './sandbox-api-error';
import { parseUtcSeconds } from './wire-time';

/** The most a request's `Timestamp` may differ from real time. */
export const ALIBABA_TIMESTAMP_TOLERANCE_MS = 15 * 60 * 1000;

/** Percent-encoding as the RPC signature defines it: encodeURIComponent plus `!'()*`. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Computes the RPC signature of `parameters` (without `Signature`) for an HTTP method. */
export function computeRpcSignature(method: string, parameters: ReadonlyMap<string, string>, accessKeySecret: string): string {
  const canonical = [...parameters.entries()]
    .filter(([name]) => name !== 'Signature')
    // pop-core sorts the raw names by code unit, then encodes.
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
  const stringToSign = `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/**
 * Remembers the `SignatureNonce` of every verified request for as long as its timestamp
 * could still be accepted, so that a replay inside the window is refused.
 */
export class NonceRegistry {
  private readonly seen = new Map<string, number>();

  /** Records a nonce; false when this key already used it. */
  remember(accessKeyId: string, nonce: string, nowMs: number): boolean {
    this.prune(nowMs);
    const key = `${accessKeyId}\u0000${nonce}`;
    if (this.seen.has(key)) return false;
    // A replay is only possible while the timestamp is within tolerance on either side.
    this.seen.set(key, nowMs + 2 * ALIBABA_TIMESTAMP_TOLERANCE_MS);
    return true;
  }

  private prune(nowMs: number): void {
    if (this.seen.size < 10_000) return;
    for (const [key, expiresAt] of this.seen) if (expiresAt <= nowMs) this.seen.delete(key);
  }
}

/**
 * Verifies an RPC request's signature against real time `nowMs`, throwing the error the
 * gateway answers (`InvalidAccessKeyId.NotFound` 404, `InvalidTimeStamp.Expired`,
 * `SignatureDoesNotMatch`, `SignatureNonceUsed`, ... 400).
 *
 * @returns the verified AccessKeyId.
 */
export function verifyRpcRequest(
  method: string,
  parameters: ReadonlyMap<string, string>,
  findSecret: (accessKeyId: string) => string | null,
  nonces: NonceRegistry,
  nowMs: number,
): string {
  const accessKeyId = parameters.get('AccessKeyId');
  if (accessKeyId === undefined || accessKeyId === '') {
    throw new SandboxApiError('MissingAccessKeyId', 'AccessKeyId is mandatory for this action.', 400);
  }
  const signature = parameters.get('Signature');
  if (signature === undefined || signature === '') throw new SandboxApiError('MissingSignature', 'Signature is mandatory for this action.', 400);
  if (parameters.get('SignatureMethod') !== 'HMAC-SHA1') {
    throw new SandboxApiError('InvalidSignatureMethod', 'Specified signature method is not supported; use HMAC-SHA1.', 400);
  }
  if (parameters.get('SignatureVersion') !== '1.0') {
    throw new SandboxApiError('InvalidSignatureVersion', 'Specified signature version is not supported; use 1.0.', 400);
  }
  const secret = findSecret(accessKeyId);
  if (secret === null) throw new SandboxApiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);

  const timestampText = parameters.get('Timestamp');
  if (timestampText === undefined) throw new SandboxApiError('MissingTimestamp', 'Timestamp is mandatory for this action.', 400);
  const timestamp = parseUtcSeconds(timestampText);
  if (timestamp === null) {
    throw new SandboxApiError('InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.', 400);
  }
  if (Math.abs(nowMs - timestamp) > ALIBABA_TIMESTAMP_TOLERANCE_MS) {
    throw new SandboxApiError('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.', 400);
  }

  const expected = computeRpcSignature(method, parameters, secret);
  if (!constantTimeEqual(expected, signature)) {
    // The real gateway echoes its string to sign; it carries the AccessKeyId, so the sandbox does not.
    throw new SandboxApiError('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.', 400);
  }

  const nonce = parameters.get('SignatureNonce');
  if (nonce === undefined || nonce === '') {
    throw new SandboxApiError('MissingSignatureNonce', 'SignatureNonce is mandatory for this action.', 400);
  }
  // Only a verified request spends its nonce, so a forged copy cannot block the genuine one.
  if (!nonces.remember(accessKeyId, nonce, nowMs)) {
    throw new SandboxApiError('SignatureNonceUsed', 'Specified signature nonce was used already.', 400);
  }
  return accessKeyId;
}
