/** Shared pieces of the command-line interface. */
import type { Writable } from 'node:stream';

/** Process exit codes: a contract with scripts and pipelines. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  timeout: 3,
} as const;

/** Where a CLI command writes. */
export interface CliIo {
  readonly out: Writable;
  readonly err: Writable;
}

/**
 * The first line of an error's message. Duck-typed: errors thrown by Node's own modules may
 * come from another realm (as under Jest), where `instanceof Error` is false.
 */
export function firstLine(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? (message.split('\n')[0] ?? '') : '';
}
