/**
 * The task kinds taskwatch knows, as their providers describe them. Everything outside
 * `src/providers` asks about a kind here (its label, ID rule, region rule, ...) instead of
 * naming it; adding a kind adds its descriptor to {@link KIND_DESCRIPTORS}.
 */
import { DCDN_KIND } from './alibaba-dcdn';
import type { KindDescriptor } from './kind-descriptor';
import { CDN_KIND } from './tencent-cdn';
import { DTS_KIND } from './tencent-dts';
import { REDIS_KIND } from './tencent-redis';
import { TCSS_KIND } from './tencent-tcss';
import { TASK_KINDS, type CloudName, type TaskKind } from './types';
import { canonicalIdByRule, validateIdByRule, type TaskIdProblem } from './validate-id';

export { takesNoId, type KindDescriptor, type TaskIdRule } from './kind-descriptor';

/** Every kind's descriptor; the compiler checks that each {@link TaskKind} has one. */
export const KIND_DESCRIPTORS: Readonly<Record<TaskKind, KindDescriptor>> = {
  cdn: CDN_KIND,
  dcdn: DCDN_KIND,
  dts: DTS_KIND,
  redis: REDIS_KIND,
  tcss: TCSS_KIND,
};

/** The descriptor of `kind`. */
export function kindDescriptor(kind: TaskKind): KindDescriptor {
  return KIND_DESCRIPTORS[kind];
}

/** Every descriptor, in the order help texts list kinds. */
export function allKinds(): readonly KindDescriptor[] {
  return TASK_KINDS.map(kindDescriptor);
}

/** The cloud behind each kind. */
export const CLOUD_OF_KIND: Readonly<Record<TaskKind, CloudName>> = Object.fromEntries(TASK_KINDS.map((kind) => [kind, KIND_DESCRIPTORS[kind].cloud])) as Record<TaskKind, CloudName>;

/** Words users type for a kind, besides the kind names themselves. */
export const KIND_ALIASES: Readonly<Record<string, TaskKind>> = Object.fromEntries(TASK_KINDS.flatMap((kind) => KIND_DESCRIPTORS[kind].aliases.map((alias) => [alias, kind])));

/** Resolves a kind name or alias, case-insensitively; null when it is neither. */
export function resolveTaskKind(word: string): TaskKind | null {
  const lower = word.trim().toLowerCase();
  if ((TASK_KINDS as readonly string[]).includes(lower)) return lower as TaskKind;
  // Own properties only: "constructor" or "__proto__" must not resolve to Object's members.
  return Object.prototype.hasOwnProperty.call(KIND_ALIASES, lower) ? (KIND_ALIASES[lower] as TaskKind) : null;
}

/** True when `kind`'s API takes no ID and answers the account's latest task (TCSS). */
export function kindTakesNoId(kind: TaskKind): boolean {
  return KIND_DESCRIPTORS[kind].idRule === 'none';
}

/** True when `kind`'s API needs a region (DTS, Redis). */
export function kindRequiresRegion(kind: TaskKind): boolean {
  return KIND_DESCRIPTORS[kind].requiresRegion;
}

/** Returns why `id` cannot be a task ID of `kind`, or null when it can (see {@link validateIdByRule}). */
export function validateTaskId(kind: TaskKind, id: string): TaskIdProblem | null {
  return validateIdByRule(KIND_DESCRIPTORS[kind].idRule, id);
}

/** The one spelling of a valid task ID of `kind` (see {@link canonicalIdByRule}). */
export function canonicalTaskId(kind: TaskKind, id: string): string {
  return canonicalIdByRule(KIND_DESCRIPTORS[kind].idRule, id);
}
