'use strict';
// Runs a TypeScript file with the arguments after it, compiled on the fly with @swc/core (what
// Jest uses here), so child processes in tests and the benchmarks run the same sources as the
// tests. Usage: node scripts/run-ts.js <file.ts> [args...]
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

const [, , entry, ...rest] = process.argv;
if (!entry || !entry.endsWith('.ts')) {
  process.stderr.write('usage: node scripts/run-ts.js <file.ts> [args...]\n');
  process.exit(2);
}
process.argv = [process.argv[0], entry, ...rest];
require(path.resolve(entry));
