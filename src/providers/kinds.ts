/**
 * The task kinds taskwatch knows, as their providers describe them. Everything outside
 * `src/providers` asks about a kind here (its label, ID rule, region rule, ...) instead of
 * naming it; adding a kind adds its descriptor and provider factory to `KINDS` below.
 */
import { DCDN_KIND, createDcdnProvider } from './alibaba-dcdn';
import { takesNoId, type KindDescriptor } from './kind-descriptor';
import type { ProviderFactory } from './provider-factory';
import { CDN_KIND, createCdnProvider } from './tencent-cdn';
import { PURGE_KIND, createPurgeProvider } from './tencent-cdn-purge';
import { DTS_KIND, createDtsProvider } from './tencent-dts';
import { REDIS_KIND, createRedisProvider } from './tencent-redis';
import { TCSS_KIND, createTcssProvider } from './tencent-tcss';
import { LATEST_TASK_ID, TASK_KINDS, type CloudName, type TaskKind } from './types';
import { canonicalIdByRule, validateIdByRule, type TaskIdProblem } from './validate-id';

export { takesNoId, type KindDescriptor, type KindSubscription, type TaskIdRule } from './kind-descriptor';

/** A kind as its provider file exports it: what it is, and how its provider is built. */
interface KindEntry {
  readonly descriptor: KindDescriptor;
  readonly createProvider: ProviderFactory;
}

/** Every kind; the compiler checks that each {@link TaskKind} has one. */
const KINDS: Readonly<Record<TaskKind, KindEntry>> = {
  cdn: { descriptor: CDN_KIND, createProvider: createCdnProvider },
  dcdn: { descriptor: DCDN_KIND, createProvider: createDcdnProvider },
  dts: { descriptor: DTS_KIND, createProvider: createDtsProvider },
  purge: { descriptor: PURGE_KIND, createProvider: createPurgeProvider },
  redis: { descriptor: REDIS_KIND, createProvider: createRedisProvider },
  tcss: { descriptor: TCSS_KIND, createProvider: createTcssProvider },
};

/** Every kind's descriptor. */
export const KIND_DESCRIPTORS: Readonly<Record<TaskKind, KindDescriptor>> = Object.fromEntries(TASK_KINDS.map((kind) => [kind, KINDS[kind].descriptor])) as Record<TaskKind, KindDescriptor>;

/** How the provider of `kind` is built for an account (the registry's one use of a kind). */
export function providerFactory(kind: TaskKind): ProviderFactory {
  return KINDS[kind].createProvider;
}

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

/**
 * True when `id` names a task `kind`'s API reported: valid under the kind's ID rule or, for a
 * kind without IDs, under its {@link KindDescriptor.reportedIdRule}. Never {@link LATEST_TASK_ID},
 * which stands for a report without an ID.
 */
export function isReportedTaskId(kind: TaskKind, id: string): boolean {
  const descriptor = KIND_DESCRIPTORS[kind];
  const rule = descriptor.idRule === 'none' ? descriptor.reportedIdRule : descriptor.idRule;
  return rule !== undefined && id !== LATEST_TASK_ID && validateIdByRule(rule, id) === null;
}

/** The one spelling of a valid task ID of `kind` (see {@link canonicalIdByRule}). */
export function canonicalTaskId(kind: TaskKind, id: string): string {
  return canonicalIdByRule(KIND_DESCRIPTORS[kind].idRule, id);
}

/** True when `kind`'s provider lists tasks by time window (its optional `listWindow`). */
export function kindListsByWindow(kind: TaskKind): boolean {
  return KIND_DESCRIPTORS[kind].listsByWindow;
}

/** Every kind channels may subscribe to, in help order. */
export function subscribableKinds(): readonly KindDescriptor[] {
  return allKinds().filter((descriptor) => descriptor.subscription !== undefined);
}

/** The kind named by `text` exactly (no alias, no case folding); null otherwise. For stored records. */
export function storedTaskKind(text: string | undefined): TaskKind | null {
  return text !== undefined && (TASK_KINDS as readonly string[]).includes(text) ? (text as TaskKind) : null;
}

/** The cloud behind `kind` as users know it: `Tencent Cloud`, `Alibaba Cloud`. */
export function cloudLabel(kind: TaskKind): string {
  return KIND_DESCRIPTORS[kind].cloud === 'tencent' ? 'Tencent Cloud' : 'Alibaba Cloud';
}

/** Every kind name, for lists in usage and error texts: `cdn, dcdn, dts, ...`; `lastJoin` joins the last two. */
export function kindNameList(lastJoin = ', '): string {
  const names = [...TASK_KINDS];
  const last = names.pop();
  return names.length === 0 ? (last ?? '') : `${names.join(', ')}${lastJoin}${last ?? ''}`;
}

/** Every kind with its aliases and a note on kinds without IDs: `cdn (alias prefetch, push), ..., tcss (takes no ID)`. */
export function kindNameListWithAliases(): string {
  return allKinds()
    .map((descriptor) => {
      const notes = [descriptor.aliases.length > 0 ? `alias ${descriptor.aliases.join(', ')}` : null, takesNoId(descriptor) ? 'takes no ID' : null].filter((note): note is string => note !== null);
      return notes.length > 0 ? `${descriptor.kind} (${notes.join('; ')})` : descriptor.kind;
    })
    .join(', ');
}

/** The kinds whose API needs a region, e.g. `dts and redis`. */
export function regionalKindList(): string {
  const names = allKinds()
    .filter((descriptor) => descriptor.requiresRegion)
    .map((descriptor) => descriptor.kind);
  const last = names.pop();
  return names.length === 0 ? (last ?? '') : `${names.join(', ')} and ${last ?? ''}`;
}
