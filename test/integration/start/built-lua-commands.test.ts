/**
 * `npm start` runs the build in dist/, and tsc compiles only TypeScript: the Lua commands reach
 * dist/ through the build's copy step. `npm test` builds before it runs the tests, so this
 * checks the build that `node bin/taskwatch.js start` would run (default-run.test.ts runs it).
 */
import path from 'node:path';
import { LUA_COMMANDS } from '../../../src/jobs/lua-commands';
import { LUA_DIRECTORY, loadLuaScripts } from '../../../src/jobs/lua-loader';

const BUILT = path.join(__dirname, '..', '..', '..', 'dist', 'jobs', 'lua');

describe('the build', () => {
  test('given npm run build, then dist holds every Lua command, as in src, for the compiled loader beside it', () => {
    const built = loadLuaScripts(BUILT);
    const source = loadLuaScripts(LUA_DIRECTORY);
    expect([...built.keys()].sort()).toEqual(LUA_COMMANDS.map((command) => command.name).sort());
    for (const [name, script] of source) expect(built.get(name)?.lua).toBe(script.lua);
    // The compiled loader looks beside itself: dist/jobs/lua.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const compiled = require(path.join(__dirname, '..', '..', '..', 'dist', 'jobs', 'lua-loader.js')) as { LUA_DIRECTORY: string };
    expect(compiled.LUA_DIRECTORY).toBe(BUILT);
  });
});
