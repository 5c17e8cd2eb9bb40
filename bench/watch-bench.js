'use strict';
// Entry of `npm run bench:watch`: compiles the TypeScript benchmark on the fly with @swc/core
// (what Jest uses here), so the benchmark runs the same sources as the tests. With a `.ts`
// file as first argument it runs that file instead (the benchmark's worker processes).
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

const [, , first, ...rest] = process.argv;
if (first && first.endsWith('.ts')) {
  process.argv = [process.argv[0], first, ...rest];
  require(path.resolve(first));
} else {
  require(path.join(__dirname, 'watch-bench-main.ts'));
}
