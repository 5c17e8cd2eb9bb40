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
