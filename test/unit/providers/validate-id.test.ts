import { validateTaskId } from '../../../src/providers/kinds';
import { requireValidTaskIds } from '../../../src/providers/provider-context';
import { ProviderError } from '../../../src/providers/errors';
import { providerFailureText } from '../../../src/commands/messages';
import { TASK_KINDS } from '../../../src/providers/types';
import { kindDescriptor } from '../../../src/providers/kinds';

describe('validateTaskId', () => {
  it.each(TASK_KINDS)('given an empty or blank %s ID, then it is empty_id', (kind) => {
    expect(validateTaskId(kind, '')).toBe('empty_id');
    expect(validateTaskId(kind, '   ')).toBe('empty_id');
  });

  it.each(TASK_KINDS)('given a %s ID of 129 characters, then it is id_too_long; 128 digits are accepted', (kind) => {
    expect(validateTaskId(kind, '1'.repeat(129))).toBe('id_too_long');
    // 128 digits: long, but not too long; Redis still refuses it because it is no safe integer.
    expect(validateTaskId(kind, '1'.repeat(128))).toBe(kind === 'redis' ? 'invalid_id' : null);
  });

  it.each(['abc', '12.5', '-3', '1e3', '12 34', '9007199254740993'])('given the Redis ID "%s", then it is invalid_id', (id) => {
    expect(validateTaskId('redis', id)).toBe('invalid_id');
  });

  it('given the Redis ID 18215 from the docs, then it is valid', () => {
    expect(validateTaskId('redis', '18215')).toBeNull();
  });

  it.each(['113681**', '1,2', 'abc', '12 '])('given the DCDN ID "%s", then it is invalid_id', (id) => {
    expect(validateTaskId('dcdn', id)).toBe('invalid_id');
  });

  it('given a numeric DCDN ID, then it is valid', () => {
    expect(validateTaskId('dcdn', '11368158')).toBeNull();
  });

  it('given CDN and DTS IDs in their documented formats, then they are valid', () => {
    expect(validateTaskId('cdn', '1533031853231313311')).toBeNull();
    expect(validateTaskId('dts', 'cafebabe-254f-11ea-8995-e92c139e6918')).toBeNull();
  });
});

describe('requireValidTaskIds', () => {
  const messageOf = (kind: (typeof TASK_KINDS)[number], id: string): string => {
    try {
      requireValidTaskIds(kindDescriptor(kind), [id]);
    } catch (error) {
      return error instanceof ProviderError ? providerFailureText(error) : '';
    }
    return '';
  };

  it('given a bad CDN or DTS ID, then the refusal describes their real shape, not "numeric"', () => {
    expect(messageOf('cdn', 'a b')).toBe('CDN task IDs use only letters, digits, ".", "_" and "-"; "a b" is not one.');
    expect(messageOf('dts', 'x/y')).toContain('letters, digits');
    expect(messageOf('dts', 'x/y')).not.toContain('numeric');
  });

  it('given a bad Redis or DCDN ID, then the refusal says they are whole numbers', () => {
    expect(messageOf('redis', '18215a')).toBe('Redis task IDs are whole numbers; "18215a" is not one.');
    expect(messageOf('dcdn', '7042x')).toBe('DCDN task IDs are whole numbers; "7042x" is not one.');
  });
});
