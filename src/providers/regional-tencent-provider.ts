/**
 * The shape shared by regional Tencent APIs that answer one task ID per call (DTS, Redis):
 * validate IDs, settle the region, then describe each ID with bounded concurrency.
 */
import { mapInOrder, requireRegion, requireValidTaskIds, type ProviderContext } from './provider-context';
import type { TencentApi } from './tencent-client';
import type { KindDescriptor } from './kind-descriptor';
import type { DescribeOptions, TaskKind, TaskProvider, TaskStatus } from './types';

/** How many single-ID calls one describe runs at once (the rate budget still paces them). */
const CONCURRENT_CALLS = 4;

/** Base of a regional, one-ID-per-call Tencent provider; subclasses describe one ID. */
export abstract class RegionalTencentProvider implements TaskProvider {
  abstract readonly kind: TaskKind;
  abstract readonly api: string;
  /** The kind this provider serves. */
  abstract readonly descriptor: KindDescriptor;
  readonly maxIdsPerCall = 1;
  readonly requiresRegion = true;
  readonly takesId = true;

  constructor(
    protected readonly client: TencentApi,
    protected readonly context: ProviderContext,
    private readonly defaultRegion: string | null,
  ) {}

  async describe(ids: readonly string[], options: DescribeOptions = {}): Promise<TaskStatus[]> {
    requireValidTaskIds(this.descriptor, ids);
    const region = requireRegion(this.descriptor, options.region, this.defaultRegion);
    return mapInOrder(ids, CONCURRENT_CALLS, (id) => this.describeOne(id, region, options.signal));
  }

  /** Describes one task in `region`; a task the API does not know comes back with `found: false`. */
  protected abstract describeOne(id: string, region: string, signal: AbortSignal | undefined): Promise<TaskStatus>;
}
