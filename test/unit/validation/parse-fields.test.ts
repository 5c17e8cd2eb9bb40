/** Field-by-field parsing: one refused field hides no other, and problems keep the declared order. */
import { z } from 'zod';
import { parseFields, parseFieldsWithDefaults } from '../../../src/validation/parse-fields';

const SHAPE = {
  name: z.string({ error: 'name must be text' }),
  count: z.number({ error: 'count must be a number' }).optional().transform((value) => value ?? 3),
  mode: z.enum(['fast', 'slow'], { error: 'mode must be fast or slow' }).optional(),
};

describe('parseFields', () => {
  it('given every field wrong and an unknown one, then every problem is listed in the declared order, and the unknown field is named', () => {
    const parsed = parseFields(SHAPE, { mode: 'medium', extra: 1, count: 'many', name: 7 });
    expect(parsed.problems).toEqual([
      { path: 'name', message: 'name must be text' },
      { path: 'count', message: 'count must be a number' },
      { path: 'mode', message: 'mode must be fast or slow' },
    ]);
    expect(parsed.unknownFields).toEqual(['extra']);
    expect([...parsed.refused]).toEqual(['name', 'count', 'mode']);
    expect(parsed.values).toEqual({ name: undefined, count: undefined, mode: undefined });
  });

  it('given valid fields, then their parsed values come back', () => {
    const parsed = parseFields(SHAPE, { name: 'a', mode: 'slow' });
    expect(parsed.problems).toEqual([]);
    expect({ ...parsed.values }).toEqual({ name: 'a', count: 3, mode: 'slow' });
  });

  it('given an inherited or "__proto__" key, then only own fields are read, and "__proto__" is an unknown field', () => {
    const input = JSON.parse('{"__proto__": {"name": "inherited"}}') as Record<string, unknown>;
    const parsed = parseFields(SHAPE, input);
    expect(parsed.problems).toEqual([{ path: 'name', message: 'name must be text' }]);
    expect(parsed.unknownFields).toEqual(['__proto__']);
  });
});

describe('parseFieldsWithDefaults', () => {
  it('given a refused field, then it stands at the value it has when absent, so rules between fields can still run', () => {
    const parsed = parseFieldsWithDefaults({ count: SHAPE.count }, { count: 'many' });
    expect(parsed.values.count).toBe(3);
    expect(parsed.problems).toEqual([{ path: 'count', message: 'count must be a number' }]);
  });
});
