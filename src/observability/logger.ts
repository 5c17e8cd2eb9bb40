/**
 * Structured logging with pino: JSON in production, pretty in a terminal. Secrets are removed
 * by path, and any string that looks like a known credential is masked as a second line of defence.
 */
import pino, { type Logger } from 'pino';
import { Writable } from 'node:stream';
import pinoPretty from 'pino-pretty';
import { safeError } from './safe-error';

export type { Logger } from 'pino';

/** Paths whose values are always replaced by `[redacted]`, wherever a log object carries them. */
export const REDACTED_PATHS: readonly string[] = [
  'secretKey',
  'secretId',
  'accessKeySecret',
  'accessKeyId',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'adminToken',
  'apiToken',
  'authorization',
  'password',
  'url',
  '*.secretKey',
  '*.secretId',
  '*.accessKeySecret',
  '*.accessKeyId',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.authorization',
  '*.password',
  '*.adminToken',
  '*.apiToken',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
  // Every chat platform's section: tokens, secrets, webhook URLs.
  'config.chat',
  'config.accounts',
  'config.adminToken',
  'config.apiToken',
];

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  readonly level: string;
  readonly pretty: boolean;
  /** Exact secret values to mask if they appear in any message string. */
  readonly secrets?: readonly string[];
  /** Where to write; default standard error, which keeps standard output for the terminal chat. */
  readonly destination?: NodeJS.WritableStream;
  /**
   * Write the log as JSON lines to this file instead (created with its folder), and only
   * warnings and errors to `destination`, one line each, each on a line of its own. For the
   * terminal chat, whose screen is the conversation.
   */
  readonly file?: string;
}

/** Creates the process logger. */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((secret) => secret.length >= 6);
  const mask = (text: string): string => secrets.reduce((masked, secret) => masked.split(secret).join('[redacted]'), text);
  const destination = options.destination ?? process.stderr;
  let stream: pino.DestinationStream | NodeJS.WritableStream;
  if (options.file !== undefined) {
    // Synchronous: the terminal chat logs little, and a forced stop exits before async writes land.
    // Warnings start on a fresh line: the chat's prompt may be waiting on the current one.
    const onOwnLine = new Writable({
      write(chunk: Buffer, _encoding, done) {
        destination.write(`\n${chunk.toString('utf8').trimEnd()}\n`);
        done();
      },
    });
    const warn = pino.levels.values['warn'] ?? 40;
    const consoleLevel = (pino.levels.values[options.level] ?? 0) > warn ? options.level : 'warn';
    stream = pino.multistream([
      { level: options.level as pino.Level, stream: pino.destination({ dest: options.file, mkdir: true, sync: true }) },
      { level: consoleLevel as pino.Level, stream: pinoPretty({ destination: onOwnLine, colorize: false, singleLine: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' }) },
    ]);
  } else {
    stream = options.pretty ? pinoPretty({ destination, colorize: false, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' }) : destination;
  }
  return pino(
    {
      level: options.level,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          // Known secret values are masked wherever they appear, in the message and in any field:
          // path redaction only covers the field names it lists.
          method.apply(this, args.map((arg) => maskDeep(arg, mask, 0)) as Parameters<typeof method>);
        },
      },
    },
    stream as pino.DestinationStream,
  );
}

/** How deep {@link maskDeep} looks into log objects; log objects here are shallow. */
const MASK_DEPTH = 4;

/** Applies `mask` to every string in a log argument, copying objects rather than changing them. */
function maskDeep(value: unknown, mask: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return mask(value);
  if (depth >= MASK_DEPTH || value === null || typeof value !== 'object') return value;
  // An error's message and stack can carry a signed URL; log only its safe view.
  if (value instanceof Error) return maskDeep(safeError(value), mask, depth + 1);
  if (Array.isArray(value)) return value.map((entry) => maskDeep(entry, mask, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, maskDeep(entry, mask, depth + 1)]));
}

/** A logger that discards everything, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
