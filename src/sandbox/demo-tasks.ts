/**
 * Demo tasks for the "try it without a cloud account" mode: one or more tasks of every kind,
 * with memorable IDs, that progress in real time over one to two minutes and then stay put.
 * Each kind declares its own beside its API route (`SandboxKind.demoTasks`); this plants them.
 */
import { TASK_KINDS, type TaskKind } from '../providers/types';
import { sandboxKind } from './sandbox-kinds';
import { DEFAULT_SANDBOX_REGION } from './task-store';
import type { SandboxTaskSpec } from './types';

/** The IDs {@link plantDemoTasks} planted, and what `taskwatch sandbox` says of them. */
export interface DemoTaskIds {
  /** The region the regional kinds' demo tasks (DTS, Redis) live in. */
  readonly region: string;
  /** Every planted ID, by kind, in the order each kind declares its demo tasks. */
  readonly byKind: Readonly<Record<TaskKind, readonly string[]>>;
  /** Every planted ID by kind and by its demo name, e.g. `named.cdn.prefetch`, `named.tcss.latest`. */
  readonly named: Readonly<Record<TaskKind, Readonly<Record<string, string>>>>;
  /** One line a task, in kind order: the kind, then its ID and what it does (`cdn    2026…  prefetch fails`). */
  readonly descriptions: readonly string[];
  /** `taskwatch status` argument lists worth trying on them, e.g. `cdn 2026… --wait`. */
  readonly tries: readonly string[];
}

/**
 * Plants the demo tasks of every kind, in kind order, created now on the sandbox clock and
 * visible to every credential. Throws if they are already planted.
 */
export function plantDemoTasks(sandbox: { addTask(spec: SandboxTaskSpec): string }): DemoTaskIds {
  const width = Math.max(...TASK_KINDS.map((kind) => kind.length)) + 1;
  const byKind: Partial<Record<TaskKind, readonly string[]>> = {};
  const named: Partial<Record<TaskKind, Readonly<Record<string, string>>>> = {};
  const descriptions: string[] = [];
  const tries: string[] = [];
  for (const kind of TASK_KINDS) {
    const served = sandboxKind(kind);
    const ids: Record<string, string> = {};
    const planted: string[] = [];
    for (const task of served.demoTasks) {
      const id = sandbox.addTask({ ...task.spec, kind });
      ids[task.name] = id;
      planted.push(id);
      descriptions.push(`${kind.padEnd(width)} ${task.describe(id)}`);
    }
    byKind[kind] = planted;
    named[kind] = ids;
    if (served.demoTry) {
      tries.push(
        served.demoTry((name) => {
          const id = ids[name];
          if (id === undefined) throw new RangeError(`The ${kind} demo has no task named "${name}".`);
          return id;
        }),
      );
    }
  }
  return {
    region: DEFAULT_SANDBOX_REGION,
    byKind: byKind as Record<TaskKind, readonly string[]>,
    named: named as Record<TaskKind, Readonly<Record<string, string>>>,
    descriptions,
    tries,
  };
}
