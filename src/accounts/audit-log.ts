/**
 * One JSON line per command and API call: who, where, what, and whether it was allowed. The
 * lines are meant for a log pipeline and for people reading them after an incident, so they are
 * bounded (a 500-ID request does not make a 30 kB line) and never carry a secret: callers pass
 * names (a token's name, never the token), and known secrets are scrubbed as a second line of defence.
 */
import type { CloudAccount } from '../config';

/** One audit record. */
export interface AuditEntry {
  /** ISO-8601 time of the decision. */
  readonly at: string;
  /** The actor: `slack:U0123ABCD`, `discord:<user id>`, `terminal:<user>`, or `api:<token name>`. */
  readonly who: string;
  /** `slack`, `discord`, `terminal` or `api`. */
  readonly platform: string;
  /** The channel as `<platform>:<channel id>`, or the HTTP route for API calls. */
  readonly where: string;
  /** The command or call: `query`, `watch`, `unwatch`, `subscribe`, `list`, `api.watches`, ... */
  readonly action: string;
  /** The task kind, when the action names one. */
  readonly kind?: string;
  /** Task IDs, cut to {@link AUDIT_MAX_IDS} entries of at most {@link AUDIT_MAX_ID_LENGTH} characters. */
  readonly ids?: readonly string[];
  /** How many IDs were left out of {@link AuditEntry.ids}. */
  readonly moreIds?: number;
  readonly account?: string;
  readonly outcome: 'allowed' | 'refused';
  /** A refusal reason code such as `user_not_allowed`; never free text from a provider. */
  readonly reason?: string;
  /**
   * How many earlier events of this kind got no line of their own because they came too fast
   * (unauthenticated API calls: at most 10 lines a minute). Absent when none were left out.
   */
  readonly suppressed?: number;
}

/** The audit log: {@link AuditLog.record} stamps and writes one entry. */
export interface AuditLog {
  /** Writes one line; `moreIds` is computed from `ids`, whatever the caller passes. */
  record(entry: Omit<AuditEntry, 'at'>): void;
}

/** Options of {@link createAuditLog}. */
export interface AuditLogOptions {
  /** Epoch milliseconds; default `Date.now`. */
  readonly now?: () => number;
  /**
   * Values that must never appear in a line (credentials, tokens). Any occurrence in any field is
   * replaced with `[redacted]`. Values shorter than 8 characters are ignored, since scrubbing
   * them would mangle ordinary words.
   */
  readonly secrets?: readonly string[];
}

/** The most IDs one line lists. */
export const AUDIT_MAX_IDS = 20;
/** The longest ID a line shows; longer ones are cut and marked with `...`. */
export const AUDIT_MAX_ID_LENGTH = 128;
/** The longest any other text field may be. */
const MAX_FIELD_LENGTH = 200;

/** Slack tokens and bearer credentials, in case one reaches a field through user text. */
const TOKEN_SHAPES = /\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)|(Bearer\s+)\S+/g;

/**
 * Creates an audit log that hands each line to `write`, without a trailing newline
 * (`(line) => stream.write(line + '\n')` for a file, or a logger call).
 */
export function createAuditLog(write: (line: string) => void, options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? Date.now;
  const secrets = (options.secrets ?? []).filter((secret) => secret.length >= 8);

  const clean = (text: string, limit: number): string => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join('[redacted]');
    result = result.replace(TOKEN_SHAPES, (_match, token: string | undefined, bearer: string | undefined) => (token ? '[redacted]' : `${bearer ?? ''}[redacted]`));
    // Control characters would let user text forge what looks like a second line in a terminal.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point here
    result = result.replace(/[\u0000-\u001f\u007f]/g, ' ');
    return result.length > limit ? `${result.slice(0, limit)}...` : result;
  };

  return {
    record(entry): void {
      const line: Record<string, unknown> = {
        at: new Date(now()).toISOString(),
        who: clean(entry.who, MAX_FIELD_LENGTH),
        platform: clean(entry.platform, 32),
        where: clean(entry.where, MAX_FIELD_LENGTH),
        action: clean(entry.action, 64),
      };
      if (entry.kind !== undefined) line['kind'] = clean(entry.kind, 32);
      if (entry.ids !== undefined) {
        line['ids'] = entry.ids.slice(0, AUDIT_MAX_IDS).map((id) => clean(id, AUDIT_MAX_ID_LENGTH));
        if (entry.ids.length > AUDIT_MAX_IDS) line['moreIds'] = entry.ids.length - AUDIT_MAX_IDS;
      }
      if (entry.account !== undefined) line['account'] = clean(entry.account, 64);
      line['outcome'] = entry.outcome === 'allowed' ? 'allowed' : 'refused';
      if (entry.reason !== undefined) line['reason'] = clean(entry.reason, 64);
      if (entry.suppressed !== undefined && Number.isSafeInteger(entry.suppressed) && entry.suppressed > 0) line['suppressed'] = entry.suppressed;
      write(JSON.stringify(line));
    },
  };
}

/** Every credential value of the configured accounts, for {@link AuditLogOptions.secrets}. */
export function accountSecrets(accounts: readonly CloudAccount[]): string[] {
  return accounts.flatMap((account) => (account.cloud === 'tencent' ? [account.secretId, account.secretKey] : [account.accessKeyId, account.accessKeySecret]));
}
