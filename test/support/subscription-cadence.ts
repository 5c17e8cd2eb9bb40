/**
 * How a test judges the cadence of subscription sweeps without judging elapsed time: by the
 * listings the cloud sandbox recorded and by the pause the engine itself asked BullMQ for after
 * a sweep. Every part of `startTaskwatch` schedules on `Date.now`, as the sandbox records on it,
 * so both hold on any machine, on any day and under `faketime`.
 *
 * - {@link listingGaps}: a sweep lists no sooner than the cadence after the previous one (the
 *   next run is due `intervalMs` after the listing returned, and BullMQ never runs a delayed
 *   job before it is due), whatever the machine's speed.
 * - {@link scheduledSweepDelay}: the pause a sweep scheduled before the next one is at most the
 *   cadence (the engine computes it as `now + intervalMs`, then moves the job, so time spent in
 *   between only shortens it). A sweep paced by any longer interval fails it.
 */
import { Queue } from 'bullmq';
import { SUBSCRIPTION_QUEUE } from '../../src/jobs/engines/subscription-engine';
import type { CloudSandbox } from '../../src/sandbox/cloud-sandbox';
import type { SandboxCall } from '../../src/sandbox/types';
import { waitFor } from './wait';

/** The subscription's CDN listings so far: `DescribePushTasks` over a window (a check names a TaskId instead), answered. */
export function cdnListings(sandbox: CloudSandbox): SandboxCall[] {
  return sandbox.calls.filter((call) => call.action === 'DescribePushTasks' && call.params['TaskId'] === undefined && call.errorCode === null);
}

/** The pauses between consecutive `listings`, as the sandbox received them (ms). */
export function listingGaps(listings: readonly SandboxCall[]): number[] {
  return listings.slice(1).map((listing, index) => listing.receivedAt - (listings[index] as SandboxCall).receivedAt);
}

/**
 * The pause (ms) the engine asked for before the next sweep of a subscription group, read from
 * the group's job once a sweep has rescheduled it. `redisUrl` is the Redis `taskwatch start`
 * runs on, with its default key prefix.
 */
export async function scheduledSweepDelay(redisUrl: string, prefix = 'taskwatch'): Promise<number> {
  const { hostname, port } = new URL(redisUrl);
  const queue = new Queue(SUBSCRIPTION_QUEUE, { connection: { host: hostname, port: Number(port), maxRetriesPerRequest: null }, prefix });
  try {
    const sleeping = await waitFor(
      'a subscription sweep rescheduled',
      async () => (await queue.getDelayed()).find((job) => job.id?.startsWith('subsweep-') === true),
      10_000,
    );
    return sleeping.delay;
  } finally {
    await queue.close();
  }
}
