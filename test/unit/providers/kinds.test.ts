import { parseCommand, SUBCOMMANDS } from '../../../src/commands/parse-command';
import { allKinds, canonicalTaskId, isReportedTaskId, KIND_ALIASES, kindDescriptor, resolveTaskKind, validateTaskId } from '../../../src/providers/kinds';
import { LATEST_TASK_ID, TASK_KINDS } from '../../../src/providers/types';

describe('kind descriptors', () => {
  it.each(TASK_KINDS)('given %s, then its descriptor names it and its example parses to it', (kind) => {
    const descriptor = kindDescriptor(kind);
    expect(descriptor.kind).toBe(kind);
    expect(parseCommand(descriptor.exampleArguments)).toMatchObject({ ok: true, command: { type: 'query', kind } });
    expect(parseCommand(`watch ${descriptor.exampleArguments}`)).toMatchObject({ ok: true, command: { type: 'watch', kind } });
  });

  it('given every alias, then it resolves to its own kind and collides with no kind name or subcommand', () => {
    const words = allKinds().flatMap((descriptor) => descriptor.aliases.map((alias) => [alias, descriptor.kind] as const));
    expect(words.length).toBeGreaterThan(0);
    for (const [alias, kind] of words) {
      expect(resolveTaskKind(alias.toUpperCase())).toBe(kind);
      expect(TASK_KINDS as readonly string[]).not.toContain(alias);
      expect(SUBCOMMANDS).not.toContain(alias);
    }
    expect(Object.keys(KIND_ALIASES).sort()).toEqual(words.map(([alias]) => alias).sort());
  });

  it('given a kind that takes IDs, then its example IDs pass its rule, and only integer IDs lose leading zeros', () => {
    for (const descriptor of allKinds()) {
      if (descriptor.idRule === 'none') continue;
      const ids = descriptor.exampleArguments.split(' ').slice(1).filter((word) => !word.includes('='));
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(validateTaskId(descriptor.kind, id)).toBeNull();
      expect(canonicalTaskId(descriptor.kind, '0123')).toBe(descriptor.idRule === 'integer' ? '123' : '0123');
    }
  });

  it('given a kind without IDs, then it declares the shape of the TaskId it reports', () => {
    for (const descriptor of allKinds()) expect(descriptor.reportedIdRule !== undefined).toBe(descriptor.idRule === 'none');
  });

  it('given IDs a provider reported, then only the ones fitting the kind are tasks, and "latest" never is', () => {
    expect(isReportedTaskId('tcss', '2026')).toBe(true);
    expect(isReportedTaskId('tcss', LATEST_TASK_ID)).toBe(false);
    expect(isReportedTaskId('tcss', 'abc')).toBe(false);
    expect(isReportedTaskId('tcss', '')).toBe(false);
    expect(isReportedTaskId('redis', '18215')).toBe(true);
    expect(isReportedTaskId('redis', 'x1')).toBe(false);
    expect(isReportedTaskId('purge', '1534925187-5fbwwqut')).toBe(true);
  });

  it('given "__proto__" or "constructor", then no kind resolves', () => {
    expect(resolveTaskKind('__proto__')).toBeNull();
    expect(resolveTaskKind('constructor')).toBeNull();
  });
});
