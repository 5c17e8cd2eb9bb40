/**
 * Tencent Cloud DTS asynchronous requests (`DescribeAsyncRequestInfo`, 2018-03-30). The API is
 * regional: a task is only found in the region it was created in.
 */
import { describeOrMissing, foundStatus, mapInOrder, requireRegion, requireValidTaskIds, type ProviderContext } from './provider-context';
import { mapRawStatus, type StatusTable } from './status-mapping';
import { stringField, type TencentApi } from './tencent-client';
import type { DescribeOptions, TaskProvider, TaskStatus } from './types';

/** Every status the API documents. */
export const DTS_STATUS_TABLE: StatusTable = {
  running: 'running',
  success: 'succeeded',
  failed: 'failed',
};

const ACTION = 'DescribeAsyncRequestInfo';

/** The `dts` provider. */
export class TencentDtsProvider implements TaskProvider {
  readonly kind = 'dts' as const;
  readonly api = `dts.${ACTION}`;
  readonly maxIdsPerCall = 1;
  readonly requiresRegion = true;
  readonly takesId = true;

  constructor(
    private readonly client: TencentApi,
    private readonly context: ProviderContext,
    private readonly defaultRegion: string | null,
  ) {}

  async describe(ids: readonly string[], options: DescribeOptions = {}): Promise<TaskStatus[]> {
    requireValidTaskIds(this.kind, ids);
    const region = requireRegion(this.kind, options.region, this.defaultRegion);
    return mapInOrder(ids, 4, (id) => this.describeOne(id, region, options.signal));
  }

  private describeOne(id: string, region: string, signal: AbortSignal | undefined): Promise<TaskStatus> {
    const identity = { kind: this.kind, id, region };
    return describeOrMissing(this.context, identity, `DTS has no task with this ID in ${region}.`, async () => {
      const response = await this.client.call(ACTION, { AsyncRequestId: id }, region, signal);
      const rawStatus = stringField(response, 'Status') ?? '';
      const state = mapRawStatus(DTS_STATUS_TABLE, rawStatus);
      const info = stringField(response, 'Info')?.trim() ?? '';
      return foundStatus(this.context, identity, {
        state,
        rawStatus,
        message: info !== '' ? info : defaultMessage(state, rawStatus),
        requestId: stringField(response, 'RequestId'),
      });
    });
  }
}

function defaultMessage(state: string, rawStatus: string): string {
  switch (state) {
    case 'running':
      return 'DTS task is running.';
    case 'succeeded':
      return 'DTS task succeeded.';
    case 'failed':
      return 'DTS task failed.';
    default:
      return `DTS status "${rawStatus}" is not one the API documents; shown as reported.`;
  }
}
