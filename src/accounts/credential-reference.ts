/**
 * Credentials in the accounts file are references, never values: `{ env: VARIABLE }` or
 * `{ file: /path }`. A file that holds secrets ends up in backups, screenshots and pull requests;
 * a reference does not. This module turns one reference into its value, or into a problem that
 * says what to do — and no problem text ever contains a value read from the file, the
 * environment or a secret file.
 */
import { dirname, isAbsolute, resolve } from 'node:path';

/** Where references are resolved. */
export interface CredentialSources {
  /** The environment variables, as `loadConfig` received them. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a whole file as UTF-8; throws (ideally a Node error with `code`) when it cannot. */
  readonly readFile: (path: string) => string;
  /** The accounts file's own path: relative `file:` references are resolved from its folder. */
  readonly accountsFilePath: string;
}

/** Where a reference sits in the file, for problem texts: e.g. `secretKey` of `accounts.production.secretKey`. */
export interface ReferenceLocation {
  readonly field: string;
  /** The field's path in the file, e.g. `accounts.production.secretKey`: how problems name a `{ file: }` path. */
  readonly key: string;
}

/** The outcome of {@link resolveCredentialReference}; a problem starts with the field's name, the caller says whose field it is. */
export type ResolvedCredential = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly problem: string };

/**
 * Conventional variable names only. Besides being the norm, it keeps a secret pasted into
 * `env:` by mistake (Tencent and Alibaba key IDs are mixed case) out of the "is not set" problem.
 */
const ENV_NAME_PATTERN = /^[A-Z_][A-Z0-9_]{0,127}$/;

/** How the fix reads in every problem about a credential field. */
export function referenceHint(field: string): string {
  return `write "${field}: { env: VARIABLE_NAME }" (an environment variable holding the value) or "${field}: { file: /path/to/file }" (a file holding only the value)`;
}

/**
 * Resolves one credential reference. `raw` is the YAML value as parsed; a literal of any type
 * is refused. File contents and variable values are trimmed, since a trailing newline in a
 * secret file would otherwise break every signature.
 */
export function resolveCredentialReference(raw: unknown, location: ReferenceLocation, sources: CredentialSources): ResolvedCredential {
  const { field, key } = location;
  const fail = (problem: string): ResolvedCredential => ({ ok: false, problem });

  if (raw === undefined || raw === null) {
    return fail(`${field} is missing; ${referenceHint(field)}.`);
  }
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'boolean') {
    // The value itself is deliberately not quoted: it is (or may be) the secret.
    return fail(
      `${field} is written in the file as a literal value, and secrets are never read from the accounts file itself. ` +
        `Remove the value from the file (and rotate it if the file was shared), then ${referenceHint(field)}.`,
    );
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return fail(`${field} must be a reference; ${referenceHint(field)}.`);
  }

  const keys = Object.keys(raw);
  const reference = raw as Record<string, unknown>;
  if (keys.length !== 1 || (keys[0] !== 'env' && keys[0] !== 'file')) {
    return fail(`${field} must have exactly one key, env or file; ${referenceHint(field)}.`);
  }

  if (keys[0] === 'env') {
    const name = reference['env'];
    if (typeof name !== 'string' || !ENV_NAME_PATTERN.test(name)) {
      return fail(`${field} names an environment variable that is not a valid variable name; use upper-case letters, digits and underscores, e.g. { env: PRODUCTION_SECRET_KEY }.`);
    }
    const value = sources.env[name]?.trim() ?? '';
    if (value === '') {
      return fail(`${field} refers to the environment variable ${name}, which is not set or is empty. Set it before starting taskwatch.`);
    }
    return { ok: true, value };
  }

  const path = reference['file'];
  // A path without a slash is more likely a pasted secret than a file name, so it is neither read nor echoed.
  if (typeof path !== 'string' || !path.includes('/') || path.length > 1024) {
    return fail(`${field} must name a file by a path containing "/", e.g. { file: /run/secrets/production-secret-key } or { file: ./secrets/key }.`);
  }
  const fullPath = isAbsolute(path) ? path : resolve(dirname(sources.accountsFilePath), path);
  let contents: string;
  try {
    contents = sources.readFile(fullPath);
  } catch (error) {
    // The path is not quoted: a secret pasted there by mistake would be printed with it.
    return fail(`${field} refers to the file named in ${key}, which cannot be read (${errorCode(error)}). Check the path and that taskwatch may read it.`);
  }
  const value = contents.trim();
  if (value === '') {
    return fail(`${field} refers to the file named in ${key}, which is empty. Put the value in it.`);
  }
  return { ok: true, value };
}

/** A Node error code such as `ENOENT`; never the error message, which a custom reader could fill with anything. */
export function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code) ? code : 'read error';
}
