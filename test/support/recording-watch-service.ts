/**
 * A {@link WatchService} for tests of the layers above the watch engine (chat adapters, access
 * checks): it records every watch request and answers with one running summary per task. Tests
 * of the engine itself use the real BullMQ engine instead.
 */
import type { ChannelAddress } from '../../src/jobs/notifier';
import type { WatchRequest, WatchService, WatchSummary } from '../../src/jobs/watch-service';
import type { TaskRef } from '../../src/providers/types';

/** A running watch of `ref` in `channel`, with fixed times; `overrides` replace any field. */
export function watchSummary(watchId: string, ref: TaskRef, channel: ChannelAddress, overrides: Partial<WatchSummary> = {}): WatchSummary {
  return {
    watchId,
    ref: { kind: ref.kind, id: ref.id, region: ref.region ?? '', account: ref.account ?? 'default' },
    channel,
    state: 'running',
    rawStatus: 'running',
    startedAt: '2026-11-23T12:00:00.000Z',
    deadlineAt: '2026-11-24T12:00:00.000Z',
    nextCheckAt: '2026-11-23T12:00:05.000Z',
    endReason: null,
    cardMessageId: null,
    ...overrides,
  };
}

/** Records watch requests; unwatch reports every named task as stopped; list is empty. */
export class RecordingWatchService implements WatchService {
  readonly requests: WatchRequest[] = [];

  async watch(request: WatchRequest): Promise<WatchSummary[]> {
    this.requests.push(request);
    return request.refs.map((ref, index) => watchSummary(`w${index}`, ref, request.channel, { cardMessageId: request.cardMessageId ?? null }));
  }

  async unwatch(_channel: ChannelAddress, refs: readonly TaskRef[]): Promise<number> {
    return refs.length;
  }

  async unwatchAll(): Promise<number> {
    return 0;
  }

  async list(): Promise<WatchSummary[]> {
    return [];
  }
}
