/**
 * What Tencent Cloud CDN's task logs have in common: `DescribePushTasks` (prefetch) and
 * `DescribePurgeTasks` (purge) answer one log row per URL, take either a TaskId or a time
 * window, page with `Offset`/`Limit` and report `TotalCount` in rows. A {@link CdnTaskLog} does
 * the calling, paging and grouping by TaskId for one such action; the kind's provider reads
 * its own row fields and turns a task's rows into a status.
 */
import { ProviderError } from './errors';
import type { KindDescriptor } from './kind-descriptor';
import { mapInOrder, missingStatus, requireValidTaskIds, type ProviderContext } from './provider-context';
import { stringField, type TencentApi } from './tencent-client';
import type { NotInLogSummary } from './task-summary';
import type { DescribeOptions, TaskListPage, TaskStatus, WindowListQuery } from './types';
import { toBeijingTime } from './vendor-time';

/** Rows per page; tasks with more URLs are paged so that no URL is silently dropped. */
const PAGE_SIZE = 100;
/** Bounds paging even if the API kept reporting more rows than it sends. */
const MAX_PAGES = 20;
/** How many tasks `describe` asks about at once. */
const CONCURRENT_TASKS = 4;

/** The fields every CDN log row has. */
export interface CdnLogRow {
  readonly taskId: string;
  readonly url: string;
  readonly status: string;
}

/** One CDN log action, and what its kind makes of the rows. */
export interface CdnLogSource<Row extends CdnLogRow> {
  /** The kind's descriptor: its kind, API label, ID rule and subscription areas. */
  readonly descriptor: KindDescriptor;
  /** The action, e.g. `DescribePushTasks`. */
  readonly action: string;
  /** The answer's array of rows, e.g. `PushLogs`. */
  readonly logsField: string;
  /** The kind's own fields of a row, besides TaskId, Url and Status. */
  readonly readRow: (raw: Readonly<Record<string, unknown>>, common: CdnLogRow) => Row;
  /** The status of a task from all its rows (at least one). */
  readonly statusOf: (id: string, rows: readonly Row[], requestId: string | null) => TaskStatus;
  /** The operation whose log this is, for what `describe` says of an ID the log has no rows for. */
  readonly operation: NotInLogSummary['operation'];
}

/** Calls one CDN log action for a provider: tasks by ID, and tasks by time window. */
export class CdnTaskLog<Row extends CdnLogRow> {
  private readonly areas: ReadonlySet<string>;

  constructor(
    private readonly client: TencentApi,
    private readonly context: ProviderContext,
    private readonly source: CdnLogSource<Row>,
  ) {
    this.areas = new Set(source.descriptor.subscription?.areas);
  }

  /** `TaskProvider.describe`: one status per ID, in order; an ID without rows is not found. */
  async describe(ids: readonly string[], options: DescribeOptions = {}): Promise<TaskStatus[]> {
    requireValidTaskIds(this.source.descriptor, ids);
    return mapInOrder(ids, CONCURRENT_TASKS, (id) => this.describeOne(id, options.signal));
  }

  /**
   * `TaskProvider.listWindow`: tasks submitted between two instants, grouped by TaskId.
   * `region` names one of the kind's areas; other values are ignored.
   */
  async listWindow(query: WindowListQuery, options: { signal?: AbortSignal } = {}): Promise<TaskListPage> {
    if (!(query.startTime.getTime() <= query.endTime.getTime())) {
      throw new ProviderError({ code: 'invalid_request', facts: { fact: 'window_reversed' }, retryable: false });
    }
    const params: Record<string, unknown> = {
      StartTime: toBeijingTime(query.startTime),
      EndTime: toBeijingTime(query.endTime),
      Offset: query.offset ?? 0,
      Limit: query.limit ?? PAGE_SIZE,
    };
    if (query.keyword) params['Keyword'] = query.keyword;
    if (query.status) params['Status'] = query.status;
    if (query.region && this.areas.has(query.region)) params['Area'] = query.region;
    const response = await this.client.call(this.source.action, params, null, options.signal);
    const rows = this.readRows(response);
    const requestId = stringField(response, 'RequestId');
    const byTask = new Map<string, Row[]>();
    for (const row of rows) {
      const group = byTask.get(row.taskId);
      if (group) group.push(row);
      else byTask.set(row.taskId, [row]);
    }
    const tasks = [...byTask].map(([taskId, taskRows]) => this.source.statusOf(taskId, taskRows, requestId));
    const totalCount = typeof response['TotalCount'] === 'number' ? response['TotalCount'] : rows.length;
    return { tasks, totalCount, requestId };
  }

  private async describeOne(id: string, signal: AbortSignal | undefined): Promise<TaskStatus> {
    const rows: Row[] = [];
    let requestId: string | null = null;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const response = await this.client.call(this.source.action, { TaskId: id, Offset: page * PAGE_SIZE, Limit: PAGE_SIZE }, null, signal);
      requestId = stringField(response, 'RequestId') ?? requestId;
      const pageRows = this.readRows(response).filter((row) => row.taskId === id || row.taskId === '');
      rows.push(...pageRows);
      const total = typeof response['TotalCount'] === 'number' ? response['TotalCount'] : 0;
      if (pageRows.length < PAGE_SIZE || rows.length >= total) break;
    }
    if (rows.length === 0) {
      return missingStatus(this.context, { kind: this.source.descriptor.kind, id, region: null }, { fact: 'not_in_log', operation: this.source.operation }, requestId);
    }
    return this.source.statusOf(id, rows, requestId);
  }

  private readRows(response: Readonly<Record<string, unknown>>): Row[] {
    const { logsField } = this.source;
    const logs = response[logsField];
    if (logs === null || logs === undefined) return [];
    if (!Array.isArray(logs)) {
      throw new ProviderError({ code: 'unavailable', facts: { fact: 'unreadable_answer', cloud: 'tencent', flaw: 'unreadable_field', service: 'CDN', field: logsField }, api: this.source.descriptor.api });
    }
    return logs
      .filter((row): row is Record<string, unknown> => row !== null && typeof row === 'object')
      .map((row) =>
        this.source.readRow(row, {
          taskId: typeof row['TaskId'] === 'string' ? row['TaskId'] : String(row['TaskId'] ?? ''),
          url: typeof row['Url'] === 'string' ? row['Url'] : '',
          status: typeof row['Status'] === 'string' ? row['Status'] : '',
        }),
      );
  }
}
