#!/usr/bin/env node
'use strict';
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` through `prepare`).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('taskwatch is not built yet: run `npm install` (or `npm run build`) in ' + path.join(__dirname, '..') + '\n');
  process.exit(2);
}
require(entry).runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write('taskwatch: ' + (error && error.message ? error.message : 'unexpected failure') + '\n');
    process.exitCode = 1;
  },
);
