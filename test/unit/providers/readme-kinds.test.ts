/**
 * The README's kind lists are prose, so they cannot be generated; this keeps them true to the
 * descriptors, so that a kind added without its README row fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allKinds, subscribableKinds } from '../../../src/providers/kinds';

const README = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

/** The rows of the table under "It queries ... task APIs": kind cell, API cell. */
function kindRows(): { kindCell: string; apiCell: string }[] {
  const start = README.indexOf('| kind | cloud and API | what it tracks |');
  expect(start).toBeGreaterThan(-1);
  const lines = README.slice(start).split('\n').slice(2);
  const rows: { kindCell: string; apiCell: string }[] = [];
  for (const line of lines) {
    if (!line.startsWith('|')) break;
    const [, kindCell = '', apiCell = ''] = line.split('|').map((cell) => cell.trim());
    rows.push({ kindCell, apiCell });
  }
  return rows;
}

describe('README kinds', () => {
  it('given the kinds table, then it has one row per descriptor, in help order, with its aliases and API', () => {
    const rows = kindRows();
    expect(rows.map((row) => /^`([a-z]+)`/.exec(row.kindCell)?.[1])).toEqual(allKinds().map((descriptor) => descriptor.kind));
    for (const [index, descriptor] of allKinds().entries()) {
      const row = rows[index];
      for (const alias of descriptor.aliases) expect(row?.kindCell).toContain(`\`${alias}\``);
      expect(row?.apiCell).toContain(`\`${descriptor.api.split('.')[1]}\``);
    }
    expect(README).toContain(`It queries ${['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'][allKinds().length] ?? allKinds().length} task APIs`);
  });

  it('given the Discord section and the subscriptions section, then they list every kind and every subscribable kind', () => {
    expect(README).toContain(`- \`kind\` is one of ${allKinds().map((descriptor) => `\`${descriptor.kind}\``).join(', ')}.`);
    for (const descriptor of subscribableKinds()) expect(README).toMatch(new RegExp(`/task-status subscribe ${descriptor.kind} `));
  });
});
