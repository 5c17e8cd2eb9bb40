/**
 * Tencent Cloud Redis tasks (`DescribeTaskInfo`, 2018-04-12). Regional, and the TaskId is an
 * integer: IDs are checked before any call, because the SDK would happily send `NaN`.
 */
import { describeOrMissing, foundStatus } from './provider-context';
import type { KindDescriptor } from './kind-descriptor';
import { RegionalTencentProvider } from './regional-tencent-provider';
import { mapRawStatus, type StatusTable } from './status-mapping';
import { stringField, tencentApiOf } from './tencent-client';
import { partsOfCloud, type ProviderFactory } from './provider-factory';
import type { ResourceTaskSummary } from './task-summary';
import type { TaskStatus } from './types';
import { beijingTimeToIso } from './vendor-time';

/** Every status the API documents. */
export const REDIS_STATUS_TABLE: StatusTable = {
  preparing: 'pending',
  running: 'running',
  succeed: 'succeeded',
  failed: 'failed',
  // "running error": the task stopped on an error, so it will not finish by itself.
  error: 'failed',
};

const ACTION = 'DescribeTaskInfo';

/** The `redis` kind: Tencent Cloud Redis tasks, regional, with integer TaskIds. */
export const REDIS_KIND: KindDescriptor = {
  kind: 'redis',
  cloud: 'tencent',
  aliases: [],
  productName: 'Redis',
  taskLabel: 'Redis task',
  description: 'Tencent Cloud Redis task (needs a region)',
  exampleArguments: 'redis 18215 region=ap-guangzhou',
  idRule: 'integer',
  idShape: 'Redis task IDs are whole numbers, e.g. 18215',
  api: `redis.${ACTION}`,
  maxIdsPerCall: 1,
  requiresRegion: true,
  listsByWindow: false,
  statusTable: REDIS_STATUS_TABLE,
};

/** Builds the `redis` provider for an account, with the account's default region. */
export const createRedisProvider: ProviderFactory = (parts) => new TencentRedisProvider(tencentApiOf(parts, 'redis'), parts.context, partsOfCloud(parts, 'tencent').account.region);

/** The `redis` provider. */
export class TencentRedisProvider extends RegionalTencentProvider {
  readonly kind = 'redis' as const;
  readonly descriptor = REDIS_KIND;
  readonly api = REDIS_KIND.api;

  protected describeOne(id: string, region: string, signal: AbortSignal | undefined): Promise<TaskStatus> {
    const identity = { kind: this.kind, id, region };
    return describeOrMissing(this.context, identity, { fact: 'not_in_region' }, async () => {
      const response = await this.client.call(ACTION, { TaskId: Number(id) }, region, signal);
      const rawStatus = stringField(response, 'Status') ?? '';
      const state = mapRawStatus(REDIS_STATUS_TABLE, rawStatus);
      return foundStatus(this.context, identity, {
        state,
        rawStatus,
        summary: resourceTask(response, rawStatus),
        createdAt: beijingTimeToIso(stringField(response, 'StartTime')),
        subtype: stringField(response, 'TaskType')?.trim() || null,
        requestId: stringField(response, 'RequestId'),
      });
    });
  }
}

/** The task's type, instance and note as the cloud gave them (each left out when empty). */
function resourceTask(response: Readonly<Record<string, unknown>>, rawStatus: string): ResourceTaskSummary {
  const taskType = stringField(response, 'TaskType')?.trim();
  const resourceId = stringField(response, 'InstanceId')?.trim();
  const vendorNote = stringField(response, 'TaskMessage')?.trim();
  return {
    fact: 'resource_task',
    ...(taskType ? { taskType } : {}),
    ...(resourceId ? { resourceId } : {}),
    ...(vendorNote ? { vendorNote } : {}),
    // `error` is "running error": the task stopped on an error, so it will not finish by itself.
    stoppedOnError: rawStatus === 'error',
  };
}
