import { AUDIT_MAX_ID_LENGTH, AUDIT_MAX_IDS, accountSecrets, createAuditLog } from '../../../src/accounts/audit-log';
import type { CloudAccount } from '../../../src/config';

const AT = Date.parse('2026-03-01T12:00:00.000Z');

function recorder(secrets: string[] = []): { lines: string[]; log: ReturnType<typeof createAuditLog> } {
  const lines: string[] = [];
  return { lines, log: createAuditLog((line) => lines.push(line), { now: () => AT, secrets }) };
}

describe('createAuditLog', () => {
  it('given an allowed query, then one JSON line holds who, where, what and the outcome, time first', () => {
    const { lines, log } = recorder();
    log.record({ who: 'slack:U0ALICE', platform: 'slack', where: 'slack:C0PROD', action: 'query', kind: 'cdn', ids: ['1234'], account: 'production', outcome: 'allowed' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]).toBe(
      '{"at":"2026-03-01T12:00:00.000Z","who":"slack:U0ALICE","platform":"slack","where":"slack:C0PROD","action":"query","kind":"cdn","ids":["1234"],"account":"production","outcome":"allowed"}',
    );
  });

  it('given a refusal, then the line carries the reason code', () => {
    const { lines, log } = recorder();
    log.record({ who: 'api:pipeline', platform: 'api', where: 'POST /api/watches', action: 'watch', account: 'production', outcome: 'refused', reason: 'channel_not_allowed' });
    expect(JSON.parse(lines[0] as string)).toMatchObject({ who: 'api:pipeline', outcome: 'refused', reason: 'channel_not_allowed' });
  });

  it('given 500 IDs of 1,000 characters, then the line lists 20 IDs cut to 128 characters and says how many more', () => {
    const { lines, log } = recorder();
    const ids = Array.from({ length: 500 }, (_, index) => `${index}-${'x'.repeat(1000)}`);
    log.record({ who: 'slack:U0ALICE', platform: 'slack', where: 'slack:C0PROD', action: 'watch', kind: 'dcdn', ids, outcome: 'allowed' });
    const entry = JSON.parse(lines[0] as string) as { ids: string[]; moreIds: number };
    expect(entry.ids).toHaveLength(AUDIT_MAX_IDS);
    expect(entry.moreIds).toBe(480);
    expect(entry.ids.every((id) => id.length <= AUDIT_MAX_ID_LENGTH + 3)).toBe(true);
    expect((lines[0] as string).length).toBeLessThan(4000);
  });

  it('given a configured secret or a token shape in any field, then the line shows [redacted] instead', () => {
    const account: CloudAccount = { name: 'production', cloud: 'tencent', secretId: 'AKIDsecretid000000', secretKey: 'super-secret-key-0000', region: null, endpoint: null };
    const { lines, log } = recorder(accountSecrets([account]));
    log.record({
      who: 'slack:U0ALICE',
      platform: 'slack',
      where: 'slack:C0PROD',
      action: 'query',
      ids: ['super-secret-key-0000', 'AKIDsecretid000000', 'xoxb-1234-5678-abcdef', 'Bearer abc.def.ghi'],
      outcome: 'allowed',
    });
    const line = lines[0] as string;
    for (const secret of ['super-secret-key-0000', 'AKIDsecretid000000', 'xoxb-1234', 'abc.def.ghi']) expect(line).not.toContain(secret);
    expect((JSON.parse(line) as { ids: string[] }).ids).toEqual(['[redacted]', '[redacted]', '[redacted]', 'Bearer [redacted]']);
  });

  it('given user text with a newline, then it cannot forge a second line', () => {
    const { lines, log } = recorder();
    log.record({ who: 'slack:U0ALICE', platform: 'slack', where: 'slack:C0PROD', action: 'query', ids: ['1\n{"outcome":"allowed"}'], outcome: 'refused' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ ids: ['1 {"outcome":"allowed"}'], outcome: 'refused' });
  });
});
