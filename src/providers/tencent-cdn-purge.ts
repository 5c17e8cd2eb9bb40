/**
 * Tencent Cloud CDN purge tasks (`DescribePurgeTasks`, 2018-06-06), the purge counterpart of
 * prefetch (`DescribePushTasks`, see `tencent-cdn.ts`). One TaskId covers many URLs or
 * directories and the API answers one `PurgeLogs` row per URL; taskwatch shows one task with
 * one item per URL and an aggregate state. Rows carry no percent, so purges have no progress.
 */
import { ProviderError } from './errors';
import type { KindDescriptor } from './kind-descriptor';
import { foundStatus, mapInOrder, missingStatus, requireValidTaskIds, sharedValue, type ProviderContext } from './provider-context';
import { aggregateItems, mapRawStatus, type StatusTable } from './status-mapping';
import { stringField, tencentApiOf, type TencentApi } from './tencent-client';
import type { ProviderFactory } from './provider-factory';
import type { DescribeOptions, TaskItem, TaskListPage, TaskProvider, TaskState, TaskStatus, WindowListQuery } from './types';
import { beijingTimeToIso, toBeijingTime } from './vendor-time';

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

/** Rows per page; tasks with more URLs are paged so that no URL is silently dropped. */
const PAGE_SIZE = 100;
/** Bounds paging even if the API kept reporting more rows than it sends. */
const MAX_PAGES = 20;
const AREAS: ReadonlySet<string> = new Set(PURGE_KIND.subscription?.areas);

/** Maps a raw purge status to a state. */
export function mapPurgeStatus(rawStatus: string | null | undefined): TaskState {
  return mapRawStatus(PURGE_STATUS_TABLE, typeof rawStatus === 'string' ? rawStatus.toLowerCase() : rawStatus);
}

interface PurgeRow {
  readonly taskId: string;
  readonly url: string;
  readonly status: string;
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

  constructor(
    private readonly client: TencentApi,
    private readonly context: ProviderContext,
  ) {}

  async describe(ids: readonly string[], options: DescribeOptions = {}): Promise<TaskStatus[]> {
    requireValidTaskIds(PURGE_KIND, ids);
    return mapInOrder(ids, 4, (id) => this.describeOne(id, options.signal));
  }

  /**
   * Lists purge tasks submitted between two instants, grouped by TaskId (see
   * {@link TaskProvider.listWindow}). `region` names a purge area; other values are ignored.
   */
  async listWindow(query: WindowListQuery, options: { signal?: AbortSignal } = {}): Promise<TaskListPage> {
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
    const byTask = new Map<string, PurgeRow[]>();
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
    const rows: PurgeRow[] = [];
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
        'Tencent Cloud CDN has no purge task with this ID (it may be mistyped, belong to another account, or be too old).',
        requestId,
      );
    }
    return this.statusOf(id, rows, requestId);
  }

  private statusOf(id: string, rows: readonly PurgeRow[], requestId: string | null): TaskStatus {
    const items: TaskItem[] = rows.map((row) => {
      const state = mapPurgeStatus(row.status);
      return { name: row.url, state, rawStatus: row.status, progress: null, ...(state === 'failed' ? { message: 'purge failed' } : {}) };
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
        message: describeAggregate(items, aggregate.state, aggregate.rawStatus),
        items,
        createdAt: created[0] ?? null,
        updatedAt: null,
        subtype,
        requestId,
      },
    );
  }
}

function readRows(response: Readonly<Record<string, unknown>>): PurgeRow[] {
  const logs = response['PurgeLogs'];
  if (logs === null || logs === undefined) return [];
  if (!Array.isArray(logs)) {
    throw new ProviderError({ code: 'unavailable', userMessage: 'Tencent Cloud CDN answered with unreadable PurgeLogs; try again later.', api: PURGE_KIND.api });
  }
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  return logs
    .filter((row): row is Record<string, unknown> => row !== null && typeof row === 'object')
    .map((row) => ({
      taskId: typeof row['TaskId'] === 'string' ? row['TaskId'] : String(row['TaskId'] ?? ''),
      url: typeof row['Url'] === 'string' ? row['Url'] : '',
      status: typeof row['Status'] === 'string' ? row['Status'] : '',
      purgeType: text(row['PurgeType']),
      flushType: text(row['FlushType']),
      createTime: text(row['CreateTime']),
    }));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function describeAggregate(items: readonly TaskItem[], state: TaskState, rawStatus: string): string {
  const total = items.length;
  const done = items.filter((item) => item.state === 'succeeded').length;
  const failed = items.filter((item) => item.state === 'failed').length;
  switch (state) {
    case 'succeeded':
      return `Purge done for ${plural(total, 'URL')}.`;
    case 'running':
    case 'pending':
      return `Purge in progress: ${done} of ${plural(total, 'URL')} done${failed > 0 ? `, ${failed} failed` : ''}.`;
    case 'failed':
      return `Purge failed for ${failed} of ${plural(total, 'URL')}.`;
    default:
      return `Purge status "${rawStatus}" is not one the CDN API documents; shown as reported.`;
  }
}
