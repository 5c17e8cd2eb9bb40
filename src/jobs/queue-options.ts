/**
 * The options every BullMQ `Queue` object of taskwatch is opened with. BullMQ writes a queue's
 * options (among them the event-stream cap) into the queue's shared meta hash each time a
 * `Queue` object is opened, and the one opened last wins; so every opener of every queue, in
 * whichever engine, takes its options from here.
 */
import type { QueueOptions } from 'bullmq';
import type { Redis } from 'ioredis';

/** Job events (BullMQ's event stream) kept per queue, for the admin dashboard's recent activity. */
export const EVENTS_KEPT = 500;

/**
 * Options of a `Queue` on a shared connection under `prefix`. BullMQ keeps 10,000 job events
 * per queue by default; nothing here reads them, and at that length they cost more Redis
 * memory than a thousand watches.
 */
export function queueOptions(connection: Redis, prefix: string): QueueOptions {
  return { connection, prefix, streams: { events: { maxLen: EVENTS_KEPT } } };
}
