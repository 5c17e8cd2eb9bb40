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
    return describeOrMissing(this.context, identity, `Redis has no task with this ID in ${region}.`, async () => {
      const response = await this.client.call(ACTION, { TaskId: Number(id) }, region, signal);
      const rawStatus = stringField(response, 'Status') ?? '';
      const state = mapRawStatus(REDIS_STATUS_TABLE, rawStatus);
      return foundStatus(this.context, identity, {
        state,
        rawStatus,
        message: redisMessage(response, state, rawStatus),
        createdAt: beijingTimeToIso(stringField(response, 'StartTime')),
        subtype: stringField(response, 'TaskType')?.trim() || null,
        requestId: stringField(response, 'RequestId'),
      });
    });
  }
}

/** "<TaskType> on <InstanceId>: <TaskMessage>", leaving out whatever the API left empty. */
function redisMessage(response: Readonly<Record<string, unknown>>, state: string, rawStatus: string): string {
  const taskType = stringField(response, 'TaskType')?.trim() || 'Redis task';
  const instanceId = stringField(response, 'InstanceId')?.trim();
  const taskMessage = stringField(response, 'TaskMessage')?.trim();
  const subject = instanceId ? `${taskType} on ${instanceId}` : taskType;
  const outcome =
    state === 'unknown'
      ? `status "${rawStatus}" is not one the API documents; shown as reported`
      : { pending: 'waiting to run', running: 'running', succeeded: 'succeeded', failed: rawStatus === 'error' ? 'stopped on an error' : 'failed' }[
          state as 'pending' | 'running' | 'succeeded' | 'failed'
        ];
  return `${subject}: ${outcome}${taskMessage ? ` (${taskMessage})` : ''}.`;
}
