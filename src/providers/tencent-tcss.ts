/**
 * Tencent Cloud TCSS asset refresh (`DescribeUnfinishRefreshTask`, 2020-11-01). The API takes no
 * ID: it reports the account's latest asset-refresh task, so `describe` always answers exactly
 * one status, identified by the TaskId the API reported.
 */
import { foundStatus, missingStatus, type ProviderContext } from './provider-context';
import { mapRawStatus, type StatusTable } from './status-mapping';
import { stringField, tencentApiOf, type TencentApi } from './tencent-client';
import type { ProviderFactory } from './provider-factory';
import type { KindDescriptor } from './kind-descriptor';
import { LATEST_TASK_ID, type DescribeOptions, type TaskProvider, type TaskStatus } from './types';

/** Every status the API documents except `Task_NoExist`, which means there is no task at all. */
export const TCSS_STATUS_TABLE: StatusTable = {
  Task_New: 'pending',
  Task_Running: 'running',
  Task_Finish: 'succeeded',
  Task_Error: 'failed',
};

/** The raw status for "this account has no asset-refresh task". */
export const TCSS_NO_TASK = 'Task_NoExist';

/** The ID shown when the API reports no task ID. */
export const TCSS_LATEST_ID = LATEST_TASK_ID;

const ACTION = 'DescribeUnfinishRefreshTask';

/** The `tcss` kind: Tencent Cloud TCSS asset refresh, which takes no ID. */
export const TCSS_KIND: KindDescriptor = {
  kind: 'tcss',
  cloud: 'tencent',
  aliases: [],
  productName: 'TCSS',
  taskLabel: 'TCSS refresh',
  description: 'Tencent Cloud TCSS asset refresh (no ID: the latest task)',
  exampleArguments: 'tcss',
  idRule: 'none',
  // The API types TaskId as an integer; 0 or none means no task (the provider then says `latest`).
  reportedIdRule: 'digits',
  idShape: "it reports the account's latest asset refresh task",
  api: `tcss.${ACTION}`,
  maxIdsPerCall: 1,
  requiresRegion: false,
  listsByWindow: false,
  // Swept by asking for the latest task: a TaskId not seen before is a new one.
  subscription: { label: 'TCSS asset refreshes', statuses: [], areas: [], filtersByDomain: false },
  statusTable: TCSS_STATUS_TABLE,
};

/** Builds the `tcss` provider for an account. */
export const createTcssProvider: ProviderFactory = (parts) => new TencentTcssProvider(tencentApiOf(parts, 'tcss'), parts.context);

/** The `tcss` provider. */
export class TencentTcssProvider implements TaskProvider {
  readonly kind = 'tcss' as const;
  readonly api = TCSS_KIND.api;
  readonly maxIdsPerCall = TCSS_KIND.maxIdsPerCall;
  readonly requiresRegion = TCSS_KIND.requiresRegion;
  readonly takesId = false;

  constructor(
    private readonly client: TencentApi,
    private readonly context: ProviderContext,
  ) {}

  /** Ignores `ids`: the API has only "the latest task". */
  async describe(_ids: readonly string[], options: DescribeOptions = {}): Promise<TaskStatus[]> {
    const response = await this.client.call(ACTION, {}, null, options.signal);
    const rawStatus = stringField(response, 'TaskStatus') ?? '';
    const taskId = response['TaskId'];
    const hasId = (typeof taskId === 'number' && taskId > 0) || (typeof taskId === 'bigint' && taskId > 0n) || (typeof taskId === 'string' && taskId !== '' && taskId !== '0');
    const id = hasId ? String(taskId) : TCSS_LATEST_ID;
    const requestId = stringField(response, 'RequestId');
    const identity = { kind: this.kind, id, region: null };
    if (rawStatus === TCSS_NO_TASK) {
      return [missingStatus(this.context, identity, { fact: 'no_latest_task', operation: 'asset_refresh' }, requestId, rawStatus)];
    }
    const state = mapRawStatus(TCSS_STATUS_TABLE, rawStatus);
    return [foundStatus(this.context, identity, { state, rawStatus, summary: { fact: 'latest_task', operation: 'asset_refresh', reportedId: hasId }, requestId })];
  }
}
