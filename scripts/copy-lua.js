'use strict';
// Part of `npm run build`: tsc compiles only TypeScript, and the Lua commands are read at run
// time from beside the module that loads them (src/jobs/lua when run from source, dist/jobs/lua
// from the build). Copies every .lua file under src/ to the same place under dist/, after
// clearing the old copies, so a command removed from src/ does not linger in dist/.
// `node scripts/copy-lua.js <folder>` copies to another build of src/ instead (bench:watch's
// compiled worker, `.tmp/bench-build/src`).
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const source = path.join(root, 'src');
const target = process.argv[2] ? path.resolve(root, process.argv[2]) : path.join(root, 'dist');

/** Every .lua file under `directory`, relative to `source`. */
function luaFiles(directory) {
  const found = [];
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) found.push(...luaFiles(full));
    else if (entry.name.endsWith('.lua')) found.push(path.relative(source, full));
  }
  return found;
}

const files = luaFiles(source);
for (const folder of new Set(files.map((file) => path.dirname(file)))) {
  const copied = path.join(target, folder);
  if (!fs.existsSync(copied)) continue;
  for (const entry of fs.readdirSync(copied)) if (entry.endsWith('.lua')) fs.rmSync(path.join(copied, entry));
}
for (const file of files) {
  fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
  fs.copyFileSync(path.join(source, file), path.join(target, file));
}
