import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LUA_COMMANDS, WATCH_COMMANDS, luaArguments } from '../../../src/jobs/lua-commands';
import { LUA_DIRECTORY, loadLuaScripts } from '../../../src/jobs/lua-loader';

/** The names a file's header gives its KEYS and ARGV, in order, and the name of an `ARGV[n...]` line. */
function headerNames(source: string): { keys: string[]; args: string[]; rest: string | null } {
  const header = source.slice(0, source.indexOf(']]'));
  const keys: string[] = [];
  const args: string[] = [];
  let rest: string | null = null;
  for (const match of header.matchAll(/^\s*(KEYS|ARGV)\[(\d+)(\.\.\.)?\]\s+(\w+)/gm)) {
    const [, list, position, variadic, name = ''] = match;
    if (variadic) {
      rest = name;
      continue;
    }
    const names = list === 'KEYS' ? keys : args;
    expect(Number(position)).toBe(names.length + 1);
    names.push(name);
  }
  return { keys, args, rest };
}

describe('Lua commands', () => {
  const scripts = loadLuaScripts();

  test('given the lua folder, then every command file has a signature and every signature a file', () => {
    expect([...scripts.keys()].sort()).toEqual(LUA_COMMANDS.map((command) => command.name).sort());
  });

  test.each(LUA_COMMANDS.map((command) => [command.name, command] as const))(
    'given %s, then its file name, its header and its signature name the same keys and arguments in the same order',
    (_name, command) => {
      const script = scripts.get(command.name);
      expect(script?.numberOfKeys).toBe(command.keys.length);
      const header = headerNames(script?.source ?? '');
      expect(header.keys).toEqual(command.keys);
      expect(header.args).toEqual(command.args);
      expect(header.rest).toBe(command.rest ?? null);
      // Sent whole: no include is left for Redis to choke on.
      expect(script?.lua).not.toMatch(/@include/);
    },
  );

  test('given a command whose helpers are included, then each helper is in the script once', () => {
    const subscribe = scripts.get('subscribe')?.lua ?? '';
    for (const helper of ['noteOutbox', 'settleEnding', 'claimIsLive']) {
      expect(subscribe.split(`local function ${helper}(`)).toHaveLength(2);
    }
  });

  test('given a call by name, then keys and arguments come out in the signature order, and a missing name is refused', () => {
    const positions = luaArguments(WATCH_COMMANDS.claimDelivery, { keys: { watch: 'w' }, args: { ttlMs: 3, claimant: 'c', realNow: 2 } });
    expect(positions).toEqual(['w', 'c', 2, 3]);
    const released = luaArguments(WATCH_COMMANDS.releaseDelivery, { keys: { task: 't', watch: 'w' }, args: { claimant: 'c' }, rest: ['endPosted', '1'] });
    expect(released).toEqual(['w', 't', 'c', 'endPosted', '1']);
    const missing = { keys: { watch: 'w' }, args: { claimant: 'c', realNow: 2 } } as unknown as Parameters<typeof luaArguments>[1];
    expect(() => luaArguments(WATCH_COMMANDS.claimDelivery, missing)).toThrow(/ttlMs is missing/);
  });
});

describe('the Lua loader', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'taskwatch-lua-'));
    mkdirSync(path.join(directory, 'includes'));
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  test('given a helper included directly and through another helper, then it is placed once, where it is first included', () => {
    writeFileSync(path.join(directory, 'includes', 'first.lua'), 'local function first() return 1 end\n');
    writeFileSync(path.join(directory, 'includes', 'second.lua'), '--- @include "first"\nlocal function second() return first() end\n');
    writeFileSync(path.join(directory, 'both-1.lua'), '--- @include "includes/first"\n--- @include "includes/second"\nreturn second()\n');
    const loaded = loadLuaScripts(directory).get('both');
    expect(loaded?.numberOfKeys).toBe(1);
    expect(loaded?.lua.split('local function first(')).toHaveLength(2);
    expect(loaded?.lua.indexOf('local function first(')).toBeLessThan(loaded?.lua.indexOf('local function second(') ?? -1);
  });

  test('given an include that is no file, then loading names the file and the include', () => {
    writeFileSync(path.join(directory, 'broken-0.lua'), '--- @include "includes/nowhere"\nreturn 0\n');
    expect(() => loadLuaScripts(directory)).toThrow(/broken-0\.lua includes "includes\/nowhere"/);
  });

  test('given helpers that include each other, then loading refuses the cycle', () => {
    writeFileSync(path.join(directory, 'includes', 'ping.lua'), '--- @include "pong"\n');
    writeFileSync(path.join(directory, 'includes', 'pong.lua'), '--- @include "ping"\n');
    writeFileSync(path.join(directory, 'loop-0.lua'), '--- @include "includes/ping"\nreturn 0\n');
    expect(() => loadLuaScripts(directory)).toThrow(/cycle/);
  });

  test('given the shipped folder, then it is the one beside the loader', () => {
    expect(LUA_DIRECTORY).toBe(path.join(__dirname, '..', '..', '..', 'src', 'jobs', 'lua'));
  });
});
