/** One logger interface: the process logger is a TaskwatchLogger, and masks secrets in both of its forms. */
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/observability/logger';
import { SILENT_LOGGER, type StructuredLogger, type TaskwatchLogger } from '../../../src/observability/taskwatch-logger';
import { createRedactingLogger } from '../../../src/chat/slack/redacting-logger';

const SECRET = 'secret-value-0123456789abcdef';

function processLogger(): { logger: TaskwatchLogger; lines: () => string[] } {
  const destination = new PassThrough();
  const chunks: Buffer[] = [];
  destination.on('data', (chunk: Buffer) => chunks.push(chunk));
  // Typed as the interface every part receives: the composition root passes exactly this.
  const logger: TaskwatchLogger = createLogger({ level: 'debug', pretty: false, secrets: [SECRET], destination });
  return { logger, lines: () => Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean) };
}

describe('TaskwatchLogger', () => {
  it('given the process logger used the way the engines use it (details, then a message), then the secret is masked and the line is written', () => {
    const { logger, lines } = processLogger();
    const structured: StructuredLogger = logger;
    structured.warn({ taskKey: `task ${SECRET}` }, `could not record ${SECRET}`);
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toContain('could not record [redacted]');
    expect(lines().join('\n')).not.toContain(SECRET);
  });

  it('given the process logger used the way the chat surfaces use it (a message alone, through the Slack redaction), then the secret is masked and the line is written', () => {
    const { logger, lines } = processLogger();
    createRedactingLogger(logger, [SECRET]).error(`Slack listener failed near ${SECRET} and xoxb-1234-abcd`);
    logger.info(`Discord adapter started with ${SECRET}`);
    expect(lines()).toHaveLength(2);
    expect(lines()[0]).toContain('Slack listener failed near [redacted] and [redacted]');
    expect(lines()[1]).toContain('Discord adapter started with [redacted]');
    expect(lines().join('\n')).not.toContain(SECRET);
  });

  it('given SILENT_LOGGER, then both forms are accepted and nothing is returned', () => {
    expect(SILENT_LOGGER.error({ errorName: 'Error' }, 'failed')).toBeUndefined();
    expect(SILENT_LOGGER.info('started')).toBeUndefined();
  });
});
