/**
 * Tencent Cloud CDN purge tasks (`DescribePurgeTasks`, 2018-06-06), the purge counterpart of
 * prefetch (`DescribePushTasks`, see `tencent-cdn.ts`). One TaskId covers many URLs or
 * directories and the API answers one `PurgeLogs` row per URL; taskwatch shows one task with
 * one item per URL and an aggregate state. Rows carry no percent, so purges have no progress.
 */
import type { KindDescriptor } from './kind-descriptor';
import { foundStatus, sharedValue, type ProviderContext } from './provider-context';
import { aggregateItems, countItems, mapRawStatus, type StatusTable } from './status-mapping';
import { tencentApiOf, type TencentApi } from './tencent-client';
import { CdnTaskLog, type CdnLogRow } from './tencent-cdn-task-log';
import type { ProviderFactory } from './provider-factory';
import type { DescribeOptions, TaskItem, TaskListPage, TaskProvider, TaskState, TaskStatus, WindowListQuery } from './types';
import { beijingTimeToIso } from './vendor-time';

/** Every status the API documents. Lookups ignore case, as for prefetch; the raw value is kept verbatim. */
export const PURGE_STATUS_TABLE: StatusTable = {
  process: 'running',
  done: 'succeeded',
  fail: 'failed',
};

const ACTION = 'DescribePurgeTasks';

/** The `purge` kind: Tencent Cloud CDN purge (URL or directory refresh) tasks. */
export const PURGE_KIND: KindDescriptor = {
  kind: 'purge',
  cloud: 'tencent',
  aliases: [],
  productName: 'CDN',
  taskLabel: 'CDN purge',
  description: 'Tencent Cloud CDN purge of URLs or directories',
  exampleArguments: 'purge 1534925187-5fbwwqut',
  idRule: 'token',
  idShape: 'CDN purge task IDs are the TaskId a purge returned, e.g. 1534925187-5fbwwqut',
  api: `cdn.${ACTION}`,
  maxIdsPerCall: 1,
  requiresRegion: false,
  listsByWindow: true,
  subscription: {
    label: 'new CDN purge tasks',
    statuses: ['fail', 'done', 'process'],
    exampleStatuses: 'fail',
    areaLabel: 'CDN purge area',
    areas: ['mainland', 'overseas', 'global'],
    filtersByDomain: true,
  },
  statusTable: PURGE_STATUS_TABLE,
  itemNoun: { one: 'URL', many: 'URLs' },
};

/** Maps a raw purge status to a state. */
export function mapPurgeStatus(rawStatus: string | null | undefined): TaskState {
  return mapRawStatus(PURGE_STATUS_TABLE, typeof rawStatus === 'string' ? rawStatus.toLowerCase() : rawStatus);
}

interface PurgeRow extends CdnLogRow {
  /** `url` or `path`. */
  readonly purgeType: string | null;
  /** `flush` (directories: changed resources only) or `delete` (everything). */
  readonly flushType: string | null;
  readonly createTime: string | null;
}

/** Builds the `purge` provider for an account: purges are a `cdn` product API. */
export const createPurgeProvider: ProviderFactory = (parts) => new TencentCdnPurgeProvider(tencentApiOf(parts, 'cdn'), parts.context);

/** The `purge` provider; it also lists purge tasks by time window. */
export class TencentCdnPurgeProvider implements TaskProvider {
  readonly kind = 'purge' as const;
  readonly api = PURGE_KIND.api;
  readonly maxIdsPerCall = PURGE_KIND.maxIdsPerCall;
  readonly requiresRegion = PURGE_KIND.requiresRegion;
  readonly takesId = true;

  private readonly log: CdnTaskLog<PurgeRow>;

  constructor(client: TencentApi, private readonly context: ProviderContext) {
    this.log = new CdnTaskLog(client, context, {
      descriptor: PURGE_KIND,
      action: ACTION,
      logsField: 'PurgeLogs',
      readRow: readPurgeRow,
      statusOf: (id, rows, requestId) => this.statusOf(id, rows, requestId),
      operation: 'purge',
    });
  }

  describe(ids: readonly string[], options: DescribeOptions = {}): Promise<TaskStatus[]> {
    return this.log.describe(ids, options);
  }

  /**
   * Lists purge tasks submitted between two instants, grouped by TaskId (see
   * {@link TaskProvider.listWindow}). `region` names a purge area; other values are ignored.
   */
  listWindow(query: WindowListQuery, options: { signal?: AbortSignal } = {}): Promise<TaskListPage> {
    return this.log.listWindow(query, options);
  }

  private statusOf(id: string, rows: readonly PurgeRow[], requestId: string | null): TaskStatus {
    const items: TaskItem[] = rows.map((row) => {
      const state = mapPurgeStatus(row.status);
      return { name: row.url, state, rawStatus: row.status, progress: null, ...(state === 'failed' ? { note: { fact: 'item_failed', operation: 'purge' } as const } : {}) };
    });
    const aggregate = aggregateItems(items);
    const created = rows
      .map((row) => beijingTimeToIso(row.createTime))
      .filter((time): time is string => time !== null)
      .sort();
    // Durations differ by what was purged: a URL, or a directory (changed files or everything).
    const subtype = sharedValue(rows.map((row) => (row.purgeType === null ? null : row.flushType ? `${row.purgeType} ${row.flushType}` : row.purgeType)));
    return foundStatus(
      this.context,
      { kind: this.kind, id, region: null },
      {
        state: aggregate.state,
        rawStatus: aggregate.rawStatus,
        progress: null,
        summary: countItems('purge', items),
        items,
        createdAt: created[0] ?? null,
        updatedAt: null,
        subtype,
        requestId,
      },
    );
  }
}

function readPurgeRow(row: Readonly<Record<string, unknown>>, common: CdnLogRow): PurgeRow {
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  return { ...common, purgeType: text(row['PurgeType']), flushType: text(row['FlushType']), createTime: text(row['CreateTime']) };
}
