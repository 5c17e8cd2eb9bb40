/**
 * Tencent Cloud DTS asynchronous requests (`DescribeAsyncRequestInfo`, 2018-03-30). The API is
 * regional: a task is only found in the region it was created in.
 */
import { describeOrMissing, foundStatus } from './provider-context';
import type { KindDescriptor } from './kind-descriptor';
import { RegionalTencentProvider } from './regional-tencent-provider';
import { mapRawStatus, type StatusTable } from './status-mapping';
import { stringField, tencentApiOf } from './tencent-client';
import { partsOfCloud, type ProviderFactory } from './provider-factory';
import type { TaskStatus } from './types';

/** Every status the API documents. */
export const DTS_STATUS_TABLE: StatusTable = {
  running: 'running',
  success: 'succeeded',
  failed: 'failed',
};

const ACTION = 'DescribeAsyncRequestInfo';

/** The `dts` kind: Tencent Cloud DTS asynchronous requests, regional. */
export const DTS_KIND: KindDescriptor = {
  kind: 'dts',
  cloud: 'tencent',
  aliases: [],
  productName: 'DTS',
  taskLabel: 'DTS job',
  description: 'Tencent Cloud DTS async request (needs a region)',
  exampleArguments: 'dts cafebabe-254f-11ea-8995-e92c139e6918 region=ap-guangzhou',
  idRule: 'token',
  idShape: 'DTS task IDs are the AsyncRequestId, e.g. cafebabe-254f-11ea-8995-e92c139e6918',
  api: `dts.${ACTION}`,
  maxIdsPerCall: 1,
  requiresRegion: true,
  listsByWindow: false,
  statusTable: DTS_STATUS_TABLE,
};

/** Builds the `dts` provider for an account, with the account's default region. */
export const createDtsProvider: ProviderFactory = (parts) => new TencentDtsProvider(tencentApiOf(parts, 'dts'), parts.context, partsOfCloud(parts, 'tencent').account.region);

/** The `dts` provider. */
export class TencentDtsProvider extends RegionalTencentProvider {
  readonly kind = 'dts' as const;
  readonly descriptor = DTS_KIND;
  readonly api = DTS_KIND.api;

  protected describeOne(id: string, region: string, signal: AbortSignal | undefined): Promise<TaskStatus> {
    const identity = { kind: this.kind, id, region };
    return describeOrMissing(this.context, identity, { fact: 'not_in_region' }, async () => {
      const response = await this.client.call(ACTION, { AsyncRequestId: id }, region, signal);
      const rawStatus = stringField(response, 'Status') ?? '';
      const state = mapRawStatus(DTS_STATUS_TABLE, rawStatus);
      const info = stringField(response, 'Info')?.trim() ?? '';
      return foundStatus(this.context, identity, {
        state,
        rawStatus,
        // The cloud's Info is its own words about the task: data, passed through as written.
        summary: info !== '' ? { fact: 'vendor_text', text: info } : { fact: 'state_only' },
        requestId: stringField(response, 'RequestId'),
      });
    });
  }
}
