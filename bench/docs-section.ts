/**
 * One benchmark's own section of docs/benchmarks.md, between two HTML comment markers: replaced
 * in place when present, appended otherwise, so benchmarks never overwrite each other's figures.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Writes `section` (which starts with `startMarker` and ends with `endMarker`) into `docsPath`. */
export function replaceDocsSection(docsPath: string, startMarker: string, endMarker: string, section: string): void {
  let current: string;
  try {
    current = readFileSync(docsPath, 'utf8');
  } catch {
    current = '# Benchmarks\n';
  }
  const start = current.indexOf(startMarker);
  const end = current.indexOf(endMarker);
  const next = start >= 0 && end > start ? `${current.slice(0, start)}${section}${current.slice(end + endMarker.length)}` : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(docsPath, next);
}
