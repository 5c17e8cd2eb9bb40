/**
 * A log-safe view of any error. Provider errors carry only codes, IDs and their user-facing
 * sentence; anything else keeps its name and code, and a message scrubbed of URLs' query
 * strings and key-shaped values. SDK errors can carry a whole signed URL with the key ID in it.
 */
import { isProviderError } from '../providers/errors';

/** Query strings of URLs (signed URLs carry AccessKeyId and Signature there). */
const URL_QUERY = /(https?:\/\/[^\s?#]+)\?[^\s#]*/gi;
/** Tencent SecretIds (AKID...) and Alibaba AccessKeyIds (LTAI...), and `key=value` pairs of credential names. */
const KEY_SHAPED = /\b(?:AKID[A-Za-z0-9]{8,}|LTAI[A-Za-z0-9]{8,})\b|\b(?:Signature|AccessKeyId|SecretId|SecretKey|token)=[^\s&]+/gi;
const MAX_MESSAGE_LENGTH = 300;

/** Removes URL query strings and key-shaped values from a text, and cuts it to a bounded length. */
export function scrubErrorText(text: string): string {
  const scrubbed = text.replace(URL_QUERY, '$1?[redacted]').replace(KEY_SHAPED, '[redacted]');
  return scrubbed.length > MAX_MESSAGE_LENGTH ? `${scrubbed.slice(0, MAX_MESSAGE_LENGTH)}…` : scrubbed;
}

/** What may be logged about `error`. */
export function safeError(error: unknown): Record<string, unknown> {
  if (isProviderError(error)) return error.toJSON();
  if (error !== null && typeof error === 'object') {
    // Duck-typed: errors may come from another realm, and pop-core throws plain objects.
    const record = error as { name?: unknown; code?: unknown; message?: unknown };
    return {
      name: typeof record.name === 'string' ? record.name : 'Error',
      ...(typeof record.code === 'string' || typeof record.code === 'number' ? { code: record.code } : {}),
      ...(typeof record.message === 'string' ? { message: scrubErrorText(record.message) } : {}),
    };
  }
  return { name: typeof error };
}
