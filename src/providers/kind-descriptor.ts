/**
 * What the rest of taskwatch may ask about a task kind, declared once per kind in its provider's
 * file. The command parser, help and error texts, the HTTP API, the CLI, the watch engine and
 * the chat renderers read descriptors (through `kinds.ts`) instead of naming kinds, so that a
 * new kind is its provider file, its sandbox API and its tests.
 */
import type { StatusTable } from './status-mapping';
import type { CloudName, TaskKind } from './types';

/**
 * What a task ID of a kind looks like:
 * - `integer`: a whole number the API types as one (Redis); `018215` and `18215` are one task;
 * - `digits`: digits only, sent as text (DCDN, whose IDs are joined with commas in one call);
 * - `token`: letters, digits and `.`, `_`, `-` (CDN TaskIds, DTS AsyncRequestIds);
 * - `none`: the API takes no ID and answers the account's latest task (TCSS).
 */
export type TaskIdRule = 'integer' | 'digits' | 'token' | 'none';

/**
 * How channels subscribe to a kind's new tasks (`/task-status subscribe <kind>`). A kind that
 * lists by window is swept by window listings and may be filtered by host, status and area; a
 * kind without IDs (TCSS) is swept by asking for its latest task.
 */
export interface KindSubscription {
  /** What a subscription announces, in sentences: `new CDN prefetch tasks`. */
  readonly label: string;
  /** Raw statuses (lowercase) a subscription may filter on with `status=`; empty: no status filter. */
  readonly statuses: readonly string[];
  /** An example `status=` value, e.g. `fail,invalid`. */
  readonly exampleStatuses?: string;
  /** What an area is called in replies, e.g. `CDN prefetch area`. */
  readonly areaLabel?: string;
  /** Values `region=` may take (the API's areas); empty: no area filter. */
  readonly areas: readonly string[];
  /** True when `domain=` filters tasks by the host of their items. */
  readonly filtersByDomain: boolean;
}

/** Everything the code outside `src/providers` asks about one kind. */
export interface KindDescriptor {
  readonly kind: TaskKind;
  readonly cloud: CloudName;
  /** Words users may type for the kind besides its name, e.g. `prefetch` for `cdn`. */
  readonly aliases: readonly string[];
  /** The product name users know it by, in sentences: `DTS`. */
  readonly productName: string;
  /** What one task of the kind is called on every chat surface: `DTS job`. */
  readonly taskLabel: string;
  /** The kind in a few words, for help texts. */
  readonly description: string;
  /** A realistic argument list after the command, e.g. `redis 18215 region=ap-guangzhou`. */
  readonly exampleArguments: string;
  readonly idRule: TaskIdRule;
  /**
   * For a kind without IDs (`idRule: 'none'`): what the TaskId it reports for the latest task
   * looks like (TCSS: `digits`). A report whose ID does not fit names no task to announce.
   */
  readonly reportedIdRule?: Exclude<TaskIdRule, 'none'>;
  /** What a valid ID looks like, for invalid-ID replies; for a kind without IDs, what it answers instead. */
  readonly idShape: string;
  /** The cloud API name, e.g. `cdn.DescribePushTasks`; also the rate-budget API label. */
  readonly api: string;
  /** How many IDs one API call can carry. */
  readonly maxIdsPerCall: number;
  /** True when the API needs a region (DTS, Redis). */
  readonly requiresRegion: boolean;
  /**
   * True when the provider can also list the account's tasks by time window (CDN), through its
   * optional `listWindow` method; watch sweeps and subscriptions use it.
   */
  readonly listsByWindow: boolean;
  /** Present when channels may subscribe to the kind's new tasks. */
  readonly subscription?: KindSubscription;
  /**
   * How long the cloud keeps reporting a task, when it forgets tasks early (DCDN: 3 days): a
   * watched task older than this, or gone after it was seen, has aged out.
   */
  readonly retentionMs?: number;
  /** Every raw status the API documents, with its normalized state. */
  readonly statusTable: StatusTable;
  /** What a task's items are called, singular and plural (`URL`/`URLs`), for kinds whose tasks have items. */
  readonly itemNoun?: { readonly one: string; readonly many: string };
}

/** True when the kind's API takes no ID and reports the account's latest task (TCSS). */
export function takesNoId(descriptor: KindDescriptor): boolean {
  return descriptor.idRule === 'none';
}
