import { EventEmitter } from 'node:events';
import { reportErrorEvents } from '../../../src/jobs/error-events';
import type { WatchEngineLogger } from '../../../src/jobs/watch-engine-logger';

function recordingLogger(): { logger: WatchEngineLogger; warnings: { object: Record<string, unknown>; message: string | undefined }[] } {
  const warnings: { object: Record<string, unknown>; message: string | undefined }[] = [];
  const ignore = (): void => undefined;
  return { logger: { debug: ignore, info: ignore, error: ignore, warn: (object, message) => warnings.push({ object, message }) }, warnings };
}

describe('error events of queues, workers and Redis clients', () => {
  test('given the same error repeated during an outage, then it is logged once per interval with the count held back', () => {
    let now = 0;
    const { logger, warnings } = recordingLogger();
    const queue = new EventEmitter();
    const worker = new EventEmitter();
    reportErrorEvents([queue, worker], logger, 'watch queue error', { intervalMs: 60_000, now: () => now });

    const refused = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    for (let attempt = 0; attempt < 20; attempt += 1) {
      (attempt % 2 === 0 ? queue : worker).emit('error', refused);
      now += 1_000;
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toBe('watch queue error');
    expect(warnings[0]?.object['err']).toMatchObject({ message: 'connect ECONNREFUSED 127.0.0.1:6379' });

    now += 60_000;
    queue.emit('error', refused);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]?.object['repeated']).toBe(19);
  });

  test('given a different error during the interval, then it is logged at once', () => {
    const { logger, warnings } = recordingLogger();
    const client = new EventEmitter();
    reportErrorEvents([client], logger, 'rate budget Redis error', { now: () => 0 });
    client.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    client.emit('error', new Error('READONLY You cannot write against a read only replica.'));
    expect(warnings.map((warning) => (warning.object['err'] as { message: string }).message)).toEqual([
      'connect ECONNREFUSED 127.0.0.1:6379',
      'READONLY You cannot write against a read only replica.',
    ]);
  });
});
