/**
 * The records the watch engine stores in Redis (as hashes of strings) and the job data it
 * enqueues. Every record and job carries `v` so that a later release can read what this one
 * wrote; readers reject versions they do not know instead of misreading them.
 */
import type { TaskKind, TaskStatus } from '../providers/types';
import type { WatchEndReason } from './notifier';
import { RECORD_VERSION } from './watch-keys';

/** One polled task, shared by every channel that watches it. */
export interface TaskRecord {
  readonly v: number;
  readonly taskKey: string;
  readonly kind: TaskKind;
  readonly account: string;
  readonly region: string | null;
  readonly id: string;
  readonly groupId: string;
  /** Incremented on every change worth telling; 0 before the first observation. */
  readonly seq: number;
  /** The latest observed status, or null before the first poll. */
  readonly status: TaskStatus | null;
  /** True once the provider has reported the task at least once. */
  readonly everFound: boolean;
  /** Real time (epoch ms) polling of this task began; drives the adaptive interval. */
  readonly pollingSince: number;
  /** Set once the task itself has ended (terminal, aged out, permanent error). */
  readonly endReason: WatchEndReason | null;
}

/** One channel's watch of one task (a subscriber). */
export interface WatchRecord {
  readonly v: number;
  readonly watchId: string;
  readonly taskKey: string;
  /** `<platform>:<channelId>`. */
  readonly channel: string;
  readonly requestedBy: string;
  readonly cardMessageId: string | null;
  /** The task seq whose thread reply this channel has received (or whose status its card first showed). */
  readonly deliveredSeq: number;
  /** The task seq the card was last edited to. */
  readonly cardSeq: number;
  readonly startedAt: string;
  readonly deadlineAt: string;
  readonly endReason: WatchEndReason | null;
  readonly endMessage: string | null;
  /** True once the ending was said in the thread. */
  readonly endPosted: boolean;
  /** True once the card shows the ending. */
  readonly endCarded: boolean;
}

/** Data of a sweep job (one per poll group). */
export interface SweepJobData {
  readonly v: number;
  readonly groupId: string;
  /** Consecutive sweeps that met throttling; grows the pause before the next. */
  readonly throttleLevel?: number;
}

/** Data of a delivery job (one per watch and change). */
export interface DeliveryJobData {
  readonly v: number;
  readonly watchId: string;
}

/** Thrown when a record or job was written by a release this one cannot read. */
export class UnsupportedRecordVersionError extends Error {
  override readonly name = 'UnsupportedRecordVersionError';
  constructor(readonly found: unknown) {
    super(`Watch record version ${String(found)} is not supported by this release (it reads version ${RECORD_VERSION}).`);
  }
}

function requireVersion(fields: Record<string, string>): number {
  const version = Number(fields['v']);
  if (version !== RECORD_VERSION) throw new UnsupportedRecordVersionError(fields['v']);
  return version;
}

function parseStatus(text: string | undefined): TaskStatus | null {
  if (!text) return null;
  return JSON.parse(text) as TaskStatus;
}

function nullable(text: string | undefined): string | null {
  return text === undefined || text === '' ? null : text;
}

/** Reads a task hash; null when the hash is empty (the task is unknown or expired). */
export function readTaskRecord(taskKey: string, fields: Record<string, string>): TaskRecord | null {
  if (Object.keys(fields).length === 0) return null;
  return {
    v: requireVersion(fields),
    taskKey,
    kind: fields['kind'] as TaskKind,
    account: fields['account'] ?? '',
    region: nullable(fields['region']),
    id: fields['id'] ?? '',
    groupId: fields['groupId'] ?? '',
    seq: Number(fields['seq'] ?? 0),
    status: parseStatus(fields['status']),
    everFound: fields['everFound'] === '1',
    pollingSince: Number(fields['pollingSince'] ?? 0),
    endReason: nullable(fields['endReason']) as WatchEndReason | null,
  };
}

/** Reads a watch hash; null when the hash is empty. */
export function readWatchRecord(watchId: string, fields: Record<string, string>): WatchRecord | null {
  if (Object.keys(fields).length === 0) return null;
  return {
    v: requireVersion(fields),
    watchId,
    taskKey: fields['taskKey'] ?? '',
    channel: fields['channel'] ?? '',
    requestedBy: fields['requestedBy'] ?? '',
    cardMessageId: nullable(fields['cardMessageId']),
    deliveredSeq: Number(fields['deliveredSeq'] ?? 0),
    cardSeq: Number(fields['cardSeq'] ?? 0),
    startedAt: fields['startedAt'] ?? '',
    deadlineAt: fields['deadlineAt'] ?? '',
    endReason: nullable(fields['endReason']) as WatchEndReason | null,
    endMessage: nullable(fields['endMessage']),
    endPosted: fields['endPosted'] === '1',
    endCarded: fields['endCarded'] === '1',
  };
}

/** Checks job data written by any release; throws {@link UnsupportedRecordVersionError} for unknown versions. */
export function requireJobVersion<T extends { readonly v: number }>(data: T): T {
  if (data.v !== RECORD_VERSION) throw new UnsupportedRecordVersionError(data.v);
  return data;
}
