/**
 * Tencent Cloud CDN prefetch tasks (`DescribePushTasks`, 2018-06-06). One TaskId covers many
 * URLs and the API answers one `PushLogs` row per URL; taskwatch shows one task with one item
 * per URL and an aggregate state.
 */
import { ProviderError } from './errors';
import { foundStatus, mapInOrder, missingStatus, requireValidTaskIds, sharedValue, type ProviderContext } from './provider-context';
import { aggregateItems, mapRawStatus, parsePercent, type StatusTable } from './status-mapping';
import { stringField, tencentApiOf, type TencentApi } from './tencent-client';
import type { ProviderFactory } from './provider-factory';
import type { KindDescriptor } from './kind-descriptor';
import type { DescribeOptions, TaskItem, TaskListPage, TaskProvider, TaskStatus, WindowListQuery } from './types';
import { beijingTimeToIso, toBeijingTime } from './vendor-time';

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

/** The item message for an `invalid` prefetch. */
export const CDN_INVALID_MESSAGE = 'origin answered with a 4xx/5xx status';

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
/** Rows per page; tasks with more URLs are paged so that no URL is silently dropped. */
const PAGE_SIZE = 100;
/** Bounds paging even if the API kept reporting more rows than it sends. */
const MAX_PAGES = 20;
const AREAS: ReadonlySet<string> = new Set(CDN_KIND.subscription?.areas);

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

interface PushRow {
  readonly taskId: string;
  readonly url: string;
  readonly status: string;
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

  constructor(
    private readonly client: TencentApi,
    private readonly context: ProviderContext,
  ) {}

  async describe(ids: readonly string[], options: DescribeOptions = {}): Promise<TaskStatus[]> {
    requireValidTaskIds(CDN_KIND, ids);
    return mapInOrder(ids, 4, (id) => this.describeOne(id, options.signal));
  }

  /** The window-listing capability (see {@link TaskProvider.listWindow}): {@link listPushTasks}. */
  listWindow(query: WindowListQuery, options: { signal?: AbortSignal } = {}): Promise<TaskListPage> {
    return this.listPushTasks(query, options);
  }

  /**
   * Lists prefetch tasks submitted between two instants, grouped by TaskId: for watching a
   * whole account rather than known IDs. `offset` and `limit` page over the API's rows.
   */
  async listPushTasks(query: PushTaskQuery, options: { signal?: AbortSignal } = {}): Promise<PushTaskPage> {
    if (!(query.startTime.getTime() <= query.endTime.getTime())) {
      throw new ProviderError({ code: 'invalid_request', userMessage: 'The listing window must start before it ends.', retryable: false });
    }
    const params: Record<string, unknown> = {
      StartTime: toBeijingTime(query.startTime),
      EndTime: toBeijingTime(query.endTime),
      Offset: query.offset ?? 0,
      Limit: query.limit ?? PAGE_SIZE,
    };
    if (query.keyword) params['Keyword'] = query.keyword;
    if (query.status) params['Status'] = query.status;
    if (query.region && AREAS.has(query.region)) params['Area'] = query.region;
    const response = await this.client.call(ACTION, params, null, options.signal);
    const rows = readRows(response);
    const requestId = stringField(response, 'RequestId');
    const byTask = new Map<string, PushRow[]>();
    for (const row of rows) {
      const group = byTask.get(row.taskId);
      if (group) group.push(row);
      else byTask.set(row.taskId, [row]);
    }
    const tasks = [...byTask].map(([taskId, taskRows]) => this.statusOf(taskId, taskRows, requestId));
    const totalCount = typeof response['TotalCount'] === 'number' ? response['TotalCount'] : rows.length;
    return { tasks, totalCount, requestId };
  }

  private async describeOne(id: string, signal: AbortSignal | undefined): Promise<TaskStatus> {
    const rows: PushRow[] = [];
    let requestId: string | null = null;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const response = await this.client.call(ACTION, { TaskId: id, Offset: page * PAGE_SIZE, Limit: PAGE_SIZE }, null, signal);
      requestId = stringField(response, 'RequestId') ?? requestId;
      const pageRows = readRows(response).filter((row) => row.taskId === id || row.taskId === '');
      rows.push(...pageRows);
      const total = typeof response['TotalCount'] === 'number' ? response['TotalCount'] : 0;
      if (pageRows.length < PAGE_SIZE || rows.length >= total) break;
    }
    if (rows.length === 0) {
      return missingStatus(
        this.context,
        { kind: this.kind, id, region: null },
        'Tencent Cloud CDN has no prefetch task with this ID (it may be mistyped, belong to another account, or be too old).',
        requestId,
      );
    }
    return this.statusOf(id, rows, requestId);
  }

  private statusOf(id: string, rows: readonly PushRow[], requestId: string | null): TaskStatus {
    const urlCounts = new Map<string, number>();
    for (const row of rows) urlCounts.set(row.url, (urlCounts.get(row.url) ?? 0) + 1);
    const items: TaskItem[] = rows.map((row) => {
      const state = mapCdnStatus(row.status);
      const lowered = row.status.toLowerCase();
      const message = lowered === 'invalid' ? CDN_INVALID_MESSAGE : lowered === 'fail' ? 'prefetch failed' : undefined;
      // The same URL can be prefetched in several areas under one task; tell the rows apart.
      const name = (urlCounts.get(row.url) ?? 0) > 1 && row.area ? `${row.url} (${row.area})` : row.url;
      return { name, state, rawStatus: row.status, progress: row.percent, ...(message ? { message } : {}) };
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
        message: describeAggregate(items, aggregate.state, aggregate.rawStatus),
        items,
        createdAt: created[0] ?? null,
        updatedAt: updated[updated.length - 1] ?? null,
        subtype: sharedValue(rows.map((row) => row.area)),
        requestId,
      },
    );
  }
}

function readRows(response: Readonly<Record<string, unknown>>): PushRow[] {
  const logs = response['PushLogs'];
  if (logs === null || logs === undefined) return [];
  if (!Array.isArray(logs)) {
    throw new ProviderError({ code: 'unavailable', userMessage: 'Tencent Cloud CDN answered with unreadable PushLogs; try again later.', api: `cdn.${ACTION}` });
  }
  return logs
    .filter((row): row is Record<string, unknown> => row !== null && typeof row === 'object')
    .map((row) => ({
      taskId: typeof row['TaskId'] === 'string' ? row['TaskId'] : String(row['TaskId'] ?? ''),
      url: typeof row['Url'] === 'string' ? row['Url'] : '',
      status: typeof row['Status'] === 'string' ? row['Status'] : '',
      percent: parsePercent(row['Percent']),
      createTime: typeof row['CreateTime'] === 'string' ? row['CreateTime'] : null,
      updateTime: typeof row['UpdateTime'] === 'string' ? row['UpdateTime'] : null,
      area: typeof row['Area'] === 'string' ? row['Area'] : null,
    }));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function describeAggregate(items: readonly TaskItem[], state: TaskItem['state'], rawStatus: string): string {
  const total = items.length;
  const done = items.filter((item) => item.state === 'succeeded').length;
  const failed = items.filter((item) => item.state === 'failed');
  const invalid = failed.filter((item) => item.rawStatus.toLowerCase() === 'invalid').length;
  switch (state) {
    case 'succeeded':
      return `Prefetch done for ${plural(total, 'URL')}.`;
    case 'running':
    case 'pending':
      return `Prefetch in progress: ${done} of ${plural(total, 'URL')} done${failed.length > 0 ? `, ${failed.length} failed` : ''}.`;
    case 'failed': {
      const origin = invalid > 0 ? ` (the origin answered with a 4xx/5xx status for ${invalid === failed.length && invalid === 1 ? 'it' : plural(invalid, 'URL')})` : '';
      return `Prefetch failed for ${failed.length} of ${plural(total, 'URL')}${origin}.`;
    }
    default:
      return `Prefetch status "${rawStatus}" is not one the CDN API documents; shown as reported.`;
  }
}
