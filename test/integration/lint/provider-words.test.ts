/**
 * `npm run lint` refuses the usual ways a sentence is written in src/providers (see
 * `providersWriteNoWords` in eslint.config.mjs): run the real ESLint on sample code as if it
 * were a provider file.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const ESLINT = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
const WORDS = /Words live in src\/chat\/render: a provider hands up facts/;

interface LintMessage {
  readonly line: number;
  readonly message: string;
}

/** The lines ESLint refuses as words, for `code` linted as `src/providers/<file>`. */
function refusedLines(code: string, file = 'sample-provider.ts'): number[] {
  const result = spawnSync(process.execPath, [ESLINT, '--stdin', '--stdin-filename', `src/providers/${file}`, '--format', 'json'], { cwd: ROOT, input: code, encoding: 'utf8', timeout: 60_000 });
  const [report] = JSON.parse(result.stdout) as [{ readonly messages: readonly LintMessage[] }];
  return report.messages.filter((entry) => WORDS.test(entry.message)).map((entry) => entry.line);
}

describe('lint: providers write no words', () => {
  test('given the ways providers used to write sentences, then each line is refused', () => {
    const code = [
      'export const X_NOT_FOUND_MESSAGE = "not found, or older than 3 days";', // 1
      'export function a(n: number, state: string, raw: string) {',
      '  const message = state === "invalid" ? "origin refused" : state === "fail" ? "prefetch failed" : undefined;', // 3
      '  const item = { message: `Prefetch done for ${n} URLs.` };', // 4
      '  const other = { text: "Purge failed for " + n };', // 5
      '  const written = { fact: "written", text: raw };', // 6
      '  missing(`DTS has no task with this ID in ${raw}.`);', // 7
      '  return [message, item, other, written];',
      '}',
      'function describe(raw: string): string {',
      '  return `Status "${raw}" is not one the API documents; shown as reported.`;', // 11
      '}',
      'const outcome = (raw: string) => `has status ${raw}`;', // 13
      'declare function missing(text: string): void;',
      'export { describe, outcome };',
    ].join('\n');
    expect(refusedLines(code)).toEqual([1, 3, 3, 4, 5, 6, 7, 11, 13]);
  });

  test('given facts, the cloud\'s own text as data, API labels and descriptor words, then nothing is refused', () => {
    const code = [
      'const ACTION = "DescribePushTasks";',
      'export const KIND = { api: `cdn.${ACTION}`, description: "Tencent Cloud CDN prefetch (alias: prefetch, push)", idShape: "CDN task IDs are the TaskId a prefetch returned" };',
      'export function b(info: string, total: number, row: { description?: string }) {',
      '  const description = row.description?.trim();',
      '  const note = description ? { fact: "vendor_text", text: description } : { fact: "item_failed", operation: "refresh" };',
      '  const summary = info !== "" ? { fact: "vendor_text", text: info } : { fact: "state_only" };',
      '  const counts = { fact: "item_counts", operation: "purge", total, succeeded: 0, failed: 0, originRefused: 0 };',
      '  const shown = info.length > 40 ? `${info.slice(0, 40)}...` : info;',
      '  return [note, summary, counts, shown, `${ACTION}:${total}`];',
      '}',
    ].join('\n');
    expect(refusedLines(code)).toEqual([]);
  });
});
