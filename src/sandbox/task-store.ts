/**
 * The tasks planted in a sandbox and their scripted lifecycles. A task never changes once
 * planted: what an API reports is computed from the clock, so a test moves a task along by
 * moving its clock, and a demo by waiting.
 */
import { randomInt } from 'node:crypto';
import type { Clock } from '../util/clock';
import type { TaskKind } from '../providers/types';
import type { LifecycleStep, SandboxKind, SandboxTaskSpec } from './types';

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
  /** Kinds whose tasks have items (CDN prefetch and purge, DCDN): one entry per row; other kinds: empty. */
  readonly items: readonly PlantedItem[];
  /** Kinds without items (DTS, Redis, TCSS): the task's lifecycle; kinds with items: empty. */
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
  private readonly kinds: ReadonlyMap<TaskKind, SandboxKind>;

  /** `kinds`: what the sandbox's APIs say about each kind they serve (`TENCENT_KINDS`, `ALIBABA_KINDS`). */
  constructor(
    private readonly clock: Clock,
    kinds: readonly SandboxKind[],
  ) {
    this.kinds = new Map(kinds.map((kind) => [kind.kind, kind]));
  }

  /** Plants a task and returns its ID. Throws a RangeError naming the problem when the spec is invalid. */
  add(spec: SandboxTaskSpec): string {
    const kind = spec.kind;
    const served = this.kinds.get(kind);
    if (!served) throw new RangeError(`Unknown task kind "${String(kind)}".`);
    const createdAt = spec.createdAt ?? this.clock.now();
    if (!Number.isFinite(createdAt)) throw new RangeError('createdAt must be epoch milliseconds.');
    const id = spec.id ?? this.unusedId(served, createdAt);
    if (!served.idPattern.test(id)) throw new RangeError(`A ${kind} task ID must be ${served.idDescription}; got "${id.slice(0, 40)}".`);
    const region = spec.region ?? DEFAULT_SANDBOX_REGION;
    if (this.tasks.some((task) => task.kind === kind && task.id === id && task.region === region)) {
      throw new RangeError(`A ${kind} task with ID ${id} is already planted in ${region}.`);
    }
    const hasItems = served.defaultItemName !== undefined;
    const items: PlantedItem[] = hasItems
      ? (spec.items ?? [{ name: served.defaultItemName ?? 'item', steps: spec.steps ?? served.defaultSteps }]).map((item, index) => ({
          name: item.name,
          steps: checkSteps(item.steps, `${kind} task ${id}, item ${index + 1}`),
        }))
      : [];
    if (hasItems && items.length === 0) throw new RangeError(`A ${kind} task needs at least one item.`);
    const steps = hasItems ? [] : checkSteps(spec.steps ?? served.defaultSteps, `${kind} task ${id}`);
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

  private unusedId(served: SandboxKind, createdAt: number): string {
    for (;;) {
      this.numericCounter += 1;
      const candidate = served.newId(createdAt, this.numericCounter);
      if (!this.tasks.some((task) => task.kind === served.kind && task.id === candidate)) return candidate;
    }
  }
}
