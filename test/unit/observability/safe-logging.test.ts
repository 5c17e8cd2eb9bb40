/** Nothing secret reaches a log line: not through an error's message, nor through any field. */
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/observability/logger';
import { safeError, scrubErrorText } from '../../../src/observability/safe-error';
import { ProviderError } from '../../../src/providers/errors';

const SIGNED_URL =
  'https://dcdn.aliyuncs.com/?AccessKeyId=LTAIabcdefgh12345678&Action=DescribeDcdnRefreshTaskById&Signature=k3Y%2Bz9&SignatureNonce=1';

function capture(secrets: string[] = []): { logger: ReturnType<typeof createLogger>; lines: () => string } {
  const destination = new PassThrough();
  const chunks: Buffer[] = [];
  destination.on('data', (chunk: Buffer) => chunks.push(chunk));
  const logger = createLogger({ level: 'info', pretty: false, secrets, destination });
  return { logger, lines: () => Buffer.concat(chunks).toString('utf8') };
}

describe('scrubErrorText and safeError', () => {
  it('given a pop-core style message with a signed URL, then the query string and key ID are gone', () => {
    const text = scrubErrorText(`Request failed: ${SIGNED_URL} returned 503`);
    expect(text).not.toContain('LTAIabcdefgh12345678');
    expect(text).not.toContain('Signature=');
    expect(text).toContain('https://dcdn.aliyuncs.com/?[redacted]');
  });

  it('given a plain object thrown by an SDK, then only its name, code and scrubbed message are kept', () => {
    const view = safeError({ name: 'SyntaxError', code: 'BadBody', message: `at ${SIGNED_URL}`, data: { secret: 'x' } });
    expect(view).toEqual({ name: 'SyntaxError', code: 'BadBody', message: 'at https://dcdn.aliyuncs.com/?[redacted]' });
  });

  it('given a ProviderError, then its log-safe JSON is used', () => {
    const error = new ProviderError({ code: 'throttled', facts: { fact: 'vendor_code', cloud: 'alibaba' }, providerCode: 'TooManyRequests' });
    expect(safeError(error)).toMatchObject({ code: 'throttled', providerCode: 'TooManyRequests', message: 'throttled (vendor_code)', facts: { fact: 'vendor_code', cloud: 'alibaba' } });
  });
});

describe('createLogger', () => {
  it('given a known secret inside a nested field, then the line shows [redacted] instead', () => {
    const { logger, lines } = capture(['super-secret-value-42']);
    logger.info({ request: { note: 'token super-secret-value-42 used' } }, 'call made');
    expect(lines()).not.toContain('super-secret-value-42');
    expect(lines()).toContain('token [redacted] used');
  });

  it('given a raw Error with a signed URL in its message, then neither the key ID nor the signature is written', () => {
    const { logger, lines } = capture();
    logger.error(new Error(`request to ${SIGNED_URL} failed`), 'provider failed');
    expect(lines()).not.toContain('LTAIabcdefgh12345678');
    expect(lines()).not.toContain('Signature=');
    expect(lines()).toContain('provider failed');
  });

  it('given a field named like a credential, then path redaction hides it', () => {
    const { logger, lines } = capture();
    logger.info({ config: { apiToken: 'abc-def-ghi-jkl' } }, 'configured');
    expect(lines()).not.toContain('abc-def-ghi-jkl');
  });
});
