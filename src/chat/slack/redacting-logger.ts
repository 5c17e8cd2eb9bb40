/**
 * Bolt and its clients log through this wrapper. It drops debug output, which prints whole
 * request bodies and headers, and replaces the configured tokens and signing secret, and
 * anything shaped like a Slack token, before a line reaches the application's logger.
 */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { TaskwatchLogger } from '../../observability/taskwatch-logger';


const TOKEN_PATTERN = /\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+/g;

/** Replaces every secret and token-shaped word in a text. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 6) result = result.split(secret).join('[redacted]');
  }
  return result.replace(TOKEN_PATTERN, '[redacted]');
}

function flatten(parts: readonly unknown[]): string {
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part instanceof Error) return `${part.name}: ${part.message}`;
      try {
        return JSON.stringify(part);
      } catch {
        return String(part);
      }
    })
    .join(' ');
}

/** A Bolt logger that writes redacted lines to `target`. */
export function createRedactingLogger(target: Pick<TaskwatchLogger, 'info' | 'warn' | 'error'>, secrets: readonly string[]): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  let name = 'slack';
  const write = (method: 'info' | 'warn' | 'error', parts: unknown[]): void => {
    target[method](redactSecrets(`[${name}] ${flatten(parts)}`, secrets));
  };
  return {
    debug: () => {
      // Bolt's debug lines include full payloads and headers; never forwarded.
    },
    info: (...parts: unknown[]) => {
      if (level === LogLevel.INFO) write('info', parts);
    },
    warn: (...parts: unknown[]) => {
      if (level !== LogLevel.ERROR) write('warn', parts);
    },
    error: (...parts: unknown[]) => write('error', parts),
    setLevel: (next: LogLevel) => {
      // Debug stays off whatever Bolt asks for.
      level = next === LogLevel.DEBUG ? LogLevel.INFO : next;
    },
    getLevel: () => level,
    setName: (next: string) => {
      name = next;
    },
  };
}
