/**
 * The tasks planted in a sandbox and their scripted lifecycles. A task never changes once
 * planted: what an API reports is computed from the clock, so a test moves a task along by
 * moving its clock, and a demo by waiting.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Clock } from '../util/clock';
import type { TaskKind } from '../providers/types';
import type { LifecycleStep, SandboxTaskSpec } from './types';

/** The region tasks live in when the spec names none. */
export const DEFAULT_SANDBOX_REGION = 'ap-guangzhou';

/** One URL (CDN prefetch or purge) or object path (DCDN) of a planted task. */
export interface PlantedItem {
  readonly name: string;
  readonly steps: readonly LifecycleStep[];
}

/** A task as the sandbox keeps it. */
export interface PlantedTask {
  readonly kind: TaskKind;
  readonly id: string;
  readonly region: string;
  readonly owner: string | null;
  readonly createdAt: number;
  /** CDN and DCDN: one entry per row; other kinds: empty. */
  readonly items: readonly PlantedItem[];
  /** DTS, Redis, TCSS: the task's lifecycle; CDN and DCDN: empty. */
  readonly steps: readonly LifecycleStep[];
  readonly attributes: Readonly<Record<string, string>>;
  /** Planting order, to break ties between tasks created in the same millisecond. */
  readonly sequence: number;
}

/** The step a lifecycle shows at a moment, and when it was reached. */
export interface CurrentStep {
  readonly step: LifecycleStep;
  /** Epoch ms on the sandbox clock at which this step began (never before creation). */
  readonly since: number;
}

const DEFAULT_STEPS: Readonly<Record<TaskKind, readonly LifecycleStep[]>> = {
  cdn: [
    { afterMs: 0, status: 'process', percent: 0 },
    { afterMs: 30_000, status: 'process', percent: 40 },
    { afterMs: 60_000, status: 'done', percent: 100 },
  ],
  dcdn: [
    { afterMs: 0, status: 'Pending', percent: 0 },
    { afterMs: 15_000, status: 'Refreshing', percent: 50 },
    { afterMs: 60_000, status: 'Complete', percent: 100 },
  ],
  purge: [
    { afterMs: 0, status: 'process' },
    { afterMs: 60_000, status: 'done' },
  ],
  dts: [
    { afterMs: 0, status: 'running', message: '' },
    { afterMs: 60_000, status: 'success', message: 'ok' },
  ],
  redis: [
    { afterMs: 0, status: 'preparing' },
    { afterMs: 10_000, status: 'running' },
    { afterMs: 60_000, status: 'succeed' },
  ],
  tcss: [
    { afterMs: 0, status: 'Task_New' },
    { afterMs: 10_000, status: 'Task_Running' },
    { afterMs: 60_000, status: 'Task_Finish' },
  ],
};

const DEFAULT_ITEM_NAME: Readonly<Partial<Record<TaskKind, string>>> = {
  cdn: 'https://www.example.com/index.html',
  dcdn: 'http://example.com/image_01.png',
  purge: 'https://www.example.com/static/app.css',
};

/** What each kind's IDs look like on the real APIs, so planted IDs are checked early. */
const ID_FORMATS: Readonly<Record<TaskKind, { readonly pattern: RegExp; readonly description: string }>> = {
  cdn: { pattern: /^\S{1,128}$/, description: 'a string without spaces' },
  dcdn: { pattern: /^\d{1,19}$/, description: 'digits only' },
  dts: { pattern: /^\S{1,128}$/, description: 'a string without spaces' },
  purge: { pattern: /^\S{1,128}$/, description: 'a string without spaces' },
  redis: { pattern: /^[1-9]\d{0,14}$/, description: 'a positive integer' },
  tcss: { pattern: /^[1-9]\d{0,14}$/, description: 'a positive integer' },
};

/** The step a lifecycle shows `elapsedMs` after creation: the last one already reached, or the first. */
export function currentStep(steps: readonly LifecycleStep[], createdAt: number, now: number): CurrentStep {
  const elapsed = now - createdAt;
  let reached = steps[0];
  if (reached === undefined) throw new Error('A lifecycle needs at least one step.');
  for (const step of steps) {
    if (step.afterMs <= elapsed) reached = step;
  }
  return { step: reached, since: createdAt + Math.max(0, reached.afterMs) };
}

function checkSteps(steps: readonly LifecycleStep[], where: string): readonly LifecycleStep[] {
  if (steps.length === 0) throw new RangeError(`${where} needs at least one lifecycle step.`);
  for (const step of steps) {
    if (!Number.isFinite(step.afterMs) || step.afterMs < 0) {
      throw new RangeError(`${where}: every step's afterMs must be a non-negative number of milliseconds.`);
    }
    if (typeof step.status !== 'string' || step.status === '') throw new RangeError(`${where}: every step needs a raw status.`);
  }
  // Sorting lets specs list steps in any order while "last reached" stays well defined.
  return [...steps].sort((left, right) => left.afterMs - right.afterMs);
}

/** Planted tasks, with ID generation in each kind's real format. */
export class TaskStore {
  private readonly tasks: PlantedTask[] = [];
  private sequence = 0;
  private numericCounter = randomInt(10_000, 90_000);

  constructor(private readonly clock: Clock) {}

  /** Plants a task and returns its ID. Throws a RangeError naming the problem when the spec is invalid. */
  add(spec: SandboxTaskSpec): string {
    const kind = spec.kind;
    if (!(kind in DEFAULT_STEPS)) throw new RangeError(`Unknown task kind "${String(kind)}".`);
    const createdAt = spec.createdAt ?? this.clock.now();
    if (!Number.isFinite(createdAt)) throw new RangeError('createdAt must be epoch milliseconds.');
    const id = spec.id ?? this.unusedId(kind, createdAt);
    const format = ID_FORMATS[kind];
    if (!format.pattern.test(id)) throw new RangeError(`A ${kind} task ID must be ${format.description}; got "${id.slice(0, 40)}".`);
    const region = spec.region ?? DEFAULT_SANDBOX_REGION;
    if (this.tasks.some((task) => task.kind === kind && task.id === id && task.region === region)) {
      throw new RangeError(`A ${kind} task with ID ${id} is already planted in ${region}.`);
    }
    const hasItems = kind in DEFAULT_ITEM_NAME;
    const items: PlantedItem[] = hasItems
      ? (spec.items ?? [{ name: DEFAULT_ITEM_NAME[kind] ?? 'item', steps: spec.steps ?? DEFAULT_STEPS[kind] }]).map((item, index) => ({
          name: item.name,
          steps: checkSteps(item.steps, `${kind} task ${id}, item ${index + 1}`),
        }))
      : [];
    if (hasItems && items.length === 0) throw new RangeError(`A ${kind} task needs at least one item.`);
    const steps = hasItems ? [] : checkSteps(spec.steps ?? DEFAULT_STEPS[kind], `${kind} task ${id}`);
    this.sequence += 1;
    this.tasks.push({
      kind,
      id,
      region,
      owner: spec.owner ?? null,
      createdAt,
      items,
      steps,
      attributes: { ...spec.attributes },
      sequence: this.sequence,
    });
    return id;
  }

  /**
   * Tasks of `kind` that exist at `now` (created no later than now) and that `credentialId`
   * may see, newest first.
   */
  visible(kind: TaskKind, credentialId: string, now: number): PlantedTask[] {
    return this.tasks
      .filter((task) => task.kind === kind && task.createdAt <= now && (task.owner === null || task.owner === credentialId))
      .sort((left, right) => right.createdAt - left.createdAt || right.sequence - left.sequence);
  }

  private unusedId(kind: TaskKind, createdAt: number): string {
    for (;;) {
      const candidate = this.newId(kind, createdAt);
      if (!this.tasks.some((task) => task.kind === kind && task.id === candidate)) return candidate;
    }
  }

  private newId(kind: TaskKind, createdAt: number): string {
    this.numericCounter += 1;
    switch (kind) {
      // CDN prefetch IDs are 19 digits that start with the creation second.
      case 'cdn':
        return `${Math.floor(createdAt / 1000)}${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
      case 'dcdn':
        return `1${String(this.numericCounter).padStart(10, '0')}`;
      // CDN purge IDs are the creation second, a dash and eight lowercase letters or digits.
      case 'purge':
        return `${Math.floor(createdAt / 1000)}-${randomInt(0, 36 ** 8).toString(36).padStart(8, '0')}`;
      case 'dts':
        return randomUUID();
      case 'redis':
      case 'tcss':
        return String(this.numericCounter);
    }
  }
}
