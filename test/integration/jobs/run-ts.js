'use strict';
// Runs a TypeScript file in a child process, compiled on the fly with @swc/core (what Jest
// uses here), so worker processes run the same sources as the tests.
const fs = require('node:fs');
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
process.argv = [process.argv[0], entry, ...rest];
require(require('node:path').resolve(entry));
