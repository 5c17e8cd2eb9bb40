/**
 * Tencent Cloud CDN prefetch tasks (`DescribePushTasks`, 2018-06-06). One TaskId covers many
 * URLs and the API answers one `PushLogs` row per URL; taskwatch shows one task with one item
 * per URL and an aggregate state.
 */
import { foundStatus, sharedValue, type ProviderContext } from './provider-context';
import { aggregateItems, countItems, mapRawStatus, parsePercent, type StatusTable } from './status-mapping';
import { tencentApiOf, type TencentApi } from './tencent-client';
import { CdnTaskLog, type CdnLogRow } from './tencent-cdn-task-log';
import type { ProviderFactory } from './provider-factory';
import type { KindDescriptor } from './kind-descriptor';
import type { DescribeOptions, ItemNote, TaskItem, TaskListPage, TaskProvider, TaskStatus, WindowListQuery } from './types';
import { beijingTimeToIso } from './vendor-time';

/**
 * Every status the API documents. The field list says `done`, the API's own example answers
 * `Done`, so lookups ignore case; the raw value is still kept verbatim.
 */
export const CDN_STATUS_TABLE: StatusTable = {
  process: 'running',
  done: 'succeeded',
  fail: 'failed',
  // The origin answered 4xx/5xx, so nothing was cached: a failure the user must fix at the origin.
  invalid: 'failed',
};

const ACTION = 'DescribePushTasks';

/** The `cdn` kind: Tencent Cloud CDN prefetch tasks. */
export const CDN_KIND: KindDescriptor = {
  kind: 'cdn',
  cloud: 'tencent',
  aliases: ['prefetch', 'push'],
  productName: 'CDN',
  taskLabel: 'CDN prefetch',
  description: 'Tencent Cloud CDN prefetch (alias: prefetch, push)',
  exampleArguments: 'cdn 1533031853231313311',
  idRule: 'token',
  idShape: 'CDN task IDs are the TaskId a prefetch returned, e.g. 1533031853231313311',
  api: `cdn.${ACTION}`,
  maxIdsPerCall: 1,
  requiresRegion: false,
  listsByWindow: true,
  subscription: {
    label: 'new CDN prefetch tasks',
    statuses: ['fail', 'invalid', 'done', 'process'],
    exampleStatuses: 'fail,invalid',
    areaLabel: 'CDN prefetch area',
    areas: ['mainland', 'overseas', 'global'],
    filtersByDomain: true,
  },
  statusTable: CDN_STATUS_TABLE,
  itemNoun: { one: 'URL', many: 'URLs' },
};

/** Maps a raw CDN prefetch status to a state. */
export function mapCdnStatus(rawStatus: string | null | undefined): ReturnType<typeof mapRawStatus> {
  return mapRawStatus(CDN_STATUS_TABLE, typeof rawStatus === 'string' ? rawStatus.toLowerCase() : rawStatus);
}

/**
 * Filters for {@link TencentCdnProvider.listPushTasks}: `status` is `fail`, `done`, `process`
 * or `invalid`; `region` a prefetch area (`mainland`, `overseas`, `global`), since CDN has no
 * cloud region, other values are ignored.
 */
export type PushTaskQuery = WindowListQuery;

/** One page of prefetch tasks. */
export type PushTaskPage = TaskListPage;

interface PushRow extends CdnLogRow {
  readonly percent: number | null;
  readonly createTime: string | null;
  readonly updateTime: string | null;
  readonly area: string | null;
}

/** Builds the `cdn` provider for an account. */
export const createCdnProvider: ProviderFactory = (parts) => new TencentCdnProvider(tencentApiOf(parts, 'cdn'), parts.context);

/** The `cdn` provider. */
export class TencentCdnProvider implements TaskProvider {
  readonly kind = 'cdn' as const;
  readonly api = CDN_KIND.api;
  readonly maxIdsPerCall = CDN_KIND.maxIdsPerCall;
  readonly requiresRegion = CDN_KIND.requiresRegion;
  readonly takesId = true;

  private readonly log: CdnTaskLog<PushRow>;

  constructor(client: TencentApi, private readonly context: ProviderContext) {
    this.log = new CdnTaskLog(client, context, {
      descriptor: CDN_KIND,
      action: ACTION,
      logsField: 'PushLogs',
      readRow: readPushRow,
      statusOf: (id, rows, requestId) => this.statusOf(id, rows, requestId),
      operation: 'prefetch',
    });
  }

  describe(ids: readonly string[], options: DescribeOptions = {}): Promise<TaskStatus[]> {
    return this.log.describe(ids, options);
  }

  /** The window-listing capability (see {@link TaskProvider.listWindow}): {@link listPushTasks}. */
  listWindow(query: WindowListQuery, options: { signal?: AbortSignal } = {}): Promise<TaskListPage> {
    return this.listPushTasks(query, options);
  }

  /**
   * Lists prefetch tasks submitted between two instants, grouped by TaskId: for watching a
   * whole account rather than known IDs. `offset` and `limit` page over the API's rows.
   */
  listPushTasks(query: PushTaskQuery, options: { signal?: AbortSignal } = {}): Promise<PushTaskPage> {
    return this.log.listWindow(query, options);
  }

  private statusOf(id: string, rows: readonly PushRow[], requestId: string | null): TaskStatus {
    const urlCounts = new Map<string, number>();
    for (const row of rows) urlCounts.set(row.url, (urlCounts.get(row.url) ?? 0) + 1);
    const items: TaskItem[] = rows.map((row) => {
      const state = mapCdnStatus(row.status);
      const lowered = row.status.toLowerCase();
      const note: ItemNote | undefined = lowered === 'invalid' ? { fact: 'origin_refused' } : lowered === 'fail' ? { fact: 'item_failed', operation: 'prefetch' } : undefined;
      // The same URL can be prefetched in several areas under one task; tell the rows apart.
      const name = (urlCounts.get(row.url) ?? 0) > 1 && row.area ? `${row.url} (${row.area})` : row.url;
      return { name, state, rawStatus: row.status, progress: row.percent, ...(note ? { note } : {}) };
    });
    const aggregate = aggregateItems(items);
    const times = (select: (row: PushRow) => string | null): string[] =>
      rows.map((row) => beijingTimeToIso(select(row))).filter((time): time is string => time !== null).sort();
    const created = times((row) => row.createTime);
    const updated = times((row) => row.updateTime);
    return foundStatus(
      this.context,
      { kind: this.kind, id, region: null },
      {
        state: aggregate.state,
        rawStatus: aggregate.rawStatus,
        progress: aggregate.progress,
        summary: countItems('prefetch', items, (item) => item.note?.fact === 'origin_refused'),
        items,
        createdAt: created[0] ?? null,
        updatedAt: updated[updated.length - 1] ?? null,
        subtype: sharedValue(rows.map((row) => row.area)),
        requestId,
      },
    );
  }
}

function readPushRow(row: Readonly<Record<string, unknown>>, common: CdnLogRow): PushRow {
  return {
    ...common,
    percent: parsePercent(row['Percent']),
    createTime: typeof row['CreateTime'] === 'string' ? row['CreateTime'] : null,
    updateTime: typeof row['UpdateTime'] === 'string' ? row['UpdateTime'] : null,
    area: typeof row['Area'] === 'string' ? row['Area'] : null,
  };
}
