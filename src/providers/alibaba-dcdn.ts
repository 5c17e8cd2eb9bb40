/**
 * Alibaba Cloud DCDN refresh and prefetch tasks (`DescribeDcdnRefreshTaskById`, 2018-01-15).
 * One call carries at most 10 comma-separated TaskIds and answers one row per object path;
 * taskwatch shows one task per ID with one item per object path. DCDN keeps only the last
 * 3 days, so "not in the answer" may mean "aged out", and the status says so (`not_retained`).
 */
import { AlibabaDcdnApi } from './alibaba-client';
import { partsOfCloud, type ProviderFactory } from './provider-factory';
import { ProviderError, isProviderError } from './errors';
import { foundStatus, mapInOrder, missingStatus, requireValidTaskIds, sharedValue, type ProviderContext } from './provider-context';
import { aggregateItems, countItems, mapRawStatus, parsePercent, type StatusTable } from './status-mapping';
import type { KindDescriptor } from './kind-descriptor';
import type { DescribeOptions, ItemNote, TaskItem, TaskProvider, TaskStatus } from './types';
import { utcTimeToIso } from './vendor-time';

/** Every status the API documents. */
export const DCDN_STATUS_TABLE: StatusTable = {
  Pending: 'pending',
  Refreshing: 'running',
  Complete: 'succeeded',
  Failed: 'failed',
};

/** The most TaskIds one call may carry. */
export const DCDN_MAX_IDS_PER_CALL = 10;

/** How long DCDN reports a task: the API cannot tell "never existed" from "older than this". */
const DCDN_RETENTION_MS = 3 * 86_400_000;

/** What a missing DCDN task is told. */
const NOT_RETAINED = { fact: 'not_retained', retentionMs: DCDN_RETENTION_MS } as const;

const ACTION = 'DescribeDcdnRefreshTaskById';
const API = `dcdn.${ACTION}`;

/** The `dcdn` kind: Alibaba Cloud DCDN refresh and prefetch tasks, up to 10 IDs a call. */
export const DCDN_KIND: KindDescriptor = {
  kind: 'dcdn',
  cloud: 'alibaba',
  aliases: ['refresh'],
  productName: 'DCDN',
  taskLabel: 'DCDN refresh',
  description: 'Alibaba Cloud DCDN refresh (alias: refresh)',
  exampleArguments: 'dcdn 17772470184 17772470185',
  idRule: 'digits',
  idShape: 'DCDN task IDs are the TaskId a refresh returned, e.g. 17772470184',
  api: API,
  maxIdsPerCall: DCDN_MAX_IDS_PER_CALL,
  requiresRegion: false,
  listsByWindow: false,
  // DescribeDcdnRefreshTaskById answers only the last 3 days.
  retentionMs: DCDN_RETENTION_MS,
  statusTable: DCDN_STATUS_TABLE,
  itemNoun: { one: 'object', many: 'objects' },
};

interface RefreshRow {
  readonly taskId: string;
  readonly objectPath: string;
  readonly status: string;
  readonly process: number | null;
  readonly description: string | null;
  readonly creationTime: string | null;
  readonly objectType: string | null;
}

interface ChunkAnswer {
  readonly rows: readonly RefreshRow[];
  readonly requestId: string | null;
}

/** Builds the `dcdn` provider for an account. */
export const createDcdnProvider: ProviderFactory = (parts) => {
  const alibaba = partsOfCloud(parts, 'alibaba');
  return new AlibabaDcdnProvider(new AlibabaDcdnApi({ account: alibaba.account, agent: alibaba.agent, context: alibaba.context }), alibaba.context);
};

/** The `dcdn` provider. */
export class AlibabaDcdnProvider implements TaskProvider {
  readonly kind = 'dcdn' as const;
  readonly api = DCDN_KIND.api;
  readonly maxIdsPerCall = DCDN_KIND.maxIdsPerCall;
  readonly requiresRegion = DCDN_KIND.requiresRegion;
  readonly takesId = true;

  constructor(
    private readonly client: AlibabaDcdnApi,
    private readonly context: ProviderContext,
  ) {}

  async describe(ids: readonly string[], options: DescribeOptions = {}): Promise<TaskStatus[]> {
    requireValidTaskIds(DCDN_KIND, ids);
    const unique = [...new Set(ids)];
    const chunks: string[][] = [];
    for (let start = 0; start < unique.length; start += DCDN_MAX_IDS_PER_CALL) chunks.push(unique.slice(start, start + DCDN_MAX_IDS_PER_CALL));
    const answers = await mapInOrder(chunks, 3, (chunk) => this.describeChunk(chunk, options.signal));
    const byId = new Map<string, TaskStatus>();
    for (const statuses of answers) for (const status of statuses) byId.set(status.id, status);
    return ids.map((id) => byId.get(id) as TaskStatus);
  }

  private async describeChunk(chunk: readonly string[], signal: AbortSignal | undefined): Promise<TaskStatus[]> {
    let answer: ChunkAnswer;
    try {
      answer = await this.query(chunk, signal);
    } catch (error) {
      // `InvalidTime` fails the whole call when one ID is too old; ask for each ID alone so
      // that the others still get their status.
      if (isProviderError(error) && error.code === 'not_found') {
        if (chunk.length === 1) {
          const id = chunk[0] as string;
          return [missingStatus(this.context, { kind: this.kind, id, region: null }, NOT_RETAINED, error.requestId ?? null)];
        }
        const singles = await mapInOrder(chunk, 3, (id) => this.describeChunk([id], signal));
        return singles.flat();
      }
      throw error;
    }
    const rowsById = new Map<string, RefreshRow[]>();
    for (const row of answer.rows) {
      const group = rowsById.get(row.taskId);
      if (group) group.push(row);
      else rowsById.set(row.taskId, [row]);
    }
    return chunk.map((id) => {
      const rows = rowsById.get(id);
      if (!rows || rows.length === 0) {
        return missingStatus(this.context, { kind: this.kind, id, region: null }, NOT_RETAINED, answer.requestId);
      }
      return this.statusOf(id, rows, answer.requestId);
    });
  }

  private async query(chunk: readonly string[], signal: AbortSignal | undefined): Promise<ChunkAnswer> {
    const body = await this.client.call(ACTION, { TaskId: chunk.join(',') }, signal);
    return { rows: readRows(body), requestId: typeof body['RequestId'] === 'string' ? body['RequestId'] : null };
  }

  private statusOf(id: string, rows: readonly RefreshRow[], requestId: string | null): TaskStatus {
    const items: TaskItem[] = rows.map((row) => {
      const state = mapRawStatus(DCDN_STATUS_TABLE, row.status);
      // The API's example carries a Description even on a Complete row; only a failure explains anything.
      const description = row.description?.trim();
      const note: ItemNote | undefined = state !== 'failed' ? undefined : description ? { fact: 'vendor_text', text: description } : { fact: 'item_failed', operation: 'refresh' };
      return { name: row.objectPath, state, rawStatus: row.status, progress: row.process, ...(note ? { note } : {}) };
    });
    const aggregate = aggregateItems(items);
    const created = rows
      .map((row) => utcTimeToIso(row.creationTime))
      .filter((time): time is string => time !== null)
      .sort();
    return foundStatus(
      this.context,
      { kind: this.kind, id, region: null },
      {
        state: aggregate.state,
        rawStatus: aggregate.rawStatus,
        progress: aggregate.progress,
        summary: countItems('refresh', items),
        items,
        createdAt: created[0] ?? null,
        subtype: sharedValue(rows.map((row) => row.objectType)),
        requestId,
      },
    );
  }
}

/** Reads `Tasks`, which the docs show as an array and some RPC answers wrap as `{ Task: [...] }`. */
function readRows(body: Readonly<Record<string, unknown>>): RefreshRow[] {
  const tasks = body['Tasks'];
  const list = Array.isArray(tasks)
    ? tasks
    : tasks !== null && typeof tasks === 'object' && Array.isArray((tasks as Record<string, unknown>)['Task'])
      ? ((tasks as Record<string, unknown>)['Task'] as unknown[])
      : null;
  if (list === null) {
    throw new ProviderError({ code: 'unavailable', facts: { fact: 'unreadable_answer', cloud: 'alibaba', flaw: 'no_task_list', service: 'DCDN' }, api: API });
  }
  return list
    .filter((row): row is Record<string, unknown> => row !== null && typeof row === 'object')
    .map((row) => ({
      taskId: row['TaskId'] === undefined || row['TaskId'] === null ? '' : String(row['TaskId']),
      objectPath: typeof row['ObjectPath'] === 'string' ? row['ObjectPath'] : '',
      status: typeof row['Status'] === 'string' ? row['Status'] : '',
      process: parsePercent(row['Process']),
      description: typeof row['Description'] === 'string' ? row['Description'] : null,
      creationTime: typeof row['CreationTime'] === 'string' ? row['CreationTime'] : null,
      objectType: typeof row['ObjectType'] === 'string' ? row['ObjectType'] : null,
    }));
}
