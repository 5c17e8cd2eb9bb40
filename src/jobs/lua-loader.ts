/**
 * Reads taskwatch's Lua commands from their `.lua` files, the way BullMQ lays out its own
 * (`src/commands/*.lua`): one command a file, named `<name>-<number of keys>.lua`, with a
 * header listing its KEYS, ARGV and output, and shared helpers pulled in by a line
 * `--- @include "includes/<helper>"`. Includes are resolved here, once per process, so that
 * each command reaches Redis as one self-contained script.
 *
 * The files sit next to this module (`lua/`): under `src/jobs` when run from source (tests,
 * benchmarks) and under `dist/jobs`, where `npm run build` copies them, when run from the build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The folder of the command files this release ships. */
export const LUA_DIRECTORY = path.join(__dirname, 'lua');

/** One command read from its file, its includes resolved. */
export interface LoadedLuaScript {
  /** The file name without the key count and extension: `recordChange` for `recordChange-5.lua`. */
  readonly name: string;
  /** The key count, from the file name. */
  readonly numberOfKeys: number;
  /** The script as sent to Redis: the file with every include in place of its line. */
  readonly lua: string;
  /** The file as written (with `@include` lines), for reading its header. */
  readonly source: string;
}

const COMMAND_FILE = /^([a-z][A-Za-z0-9]*)-([0-9]+)\.lua$/;
const INCLUDE_LINE = /^---\s*@include\s+"([^"]+)"\s*$/gm;

const loaded = new Map<string, ReadonlyMap<string, LoadedLuaScript>>();

/**
 * Every command in `directory`, by name. Read and resolved on the first call for a folder and
 * kept for the life of the process: the files do not change under a running release.
 * Throws when a file's include is missing or includes itself, naming the file.
 */
export function loadLuaScripts(directory: string = LUA_DIRECTORY): ReadonlyMap<string, LoadedLuaScript> {
  const cached = loaded.get(directory);
  if (cached) return cached;
  const scripts = new Map<string, LoadedLuaScript>();
  for (const file of readdirSync(directory).sort()) {
    const match = COMMAND_FILE.exec(file);
    if (!match) continue;
    const [, name = '', keys = '0'] = match;
    if (scripts.has(name)) throw new Error(`Two Lua files define the command ${name} in ${directory}.`);
    const source = readFileSync(path.join(directory, file), 'utf8');
    scripts.set(name, { name, numberOfKeys: Number(keys), source, lua: resolveIncludes(source, path.join(directory, file), new Set(), []) });
  }
  loaded.set(directory, scripts);
  return scripts;
}

/**
 * Replaces each `@include` line with the helper's text, recursively. A helper included twice
 * (directly and through another helper) is placed once, at its first include, because a Lua
 * `local function` defined twice would only shadow itself; a helper that includes itself,
 * directly or not, is refused.
 */
function resolveIncludes(source: string, file: string, placed: Set<string>, chain: readonly string[]): string {
  return source.replace(INCLUDE_LINE, (_line, include: string) => {
    const target = path.resolve(path.dirname(file), `${include}.lua`);
    if (chain.includes(target) || target === file) throw new Error(`Lua include cycle: ${[...chain, file, target].map((entry) => path.basename(entry)).join(' -> ')}`);
    if (placed.has(target)) return '';
    placed.add(target);
    let text: string;
    try {
      text = readFileSync(target, 'utf8');
    } catch {
      throw new Error(`${path.basename(file)} includes "${include}", which is not a file (${target}).`);
    }
    return resolveIncludes(text, target, placed, [...chain, file]);
  });
}
