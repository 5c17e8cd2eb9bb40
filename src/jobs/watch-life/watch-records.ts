/**
 * The records the watch engine stores in Redis (as hashes of strings) and the job data it
 * enqueues. Every record and job carries `v` so that a later release can read what this one
 * wrote; readers reject versions they do not know instead of misreading them.
 *
 * Version 2 (this release) stores statuses compactly (see {@link encodeStatus}) and keeps in a
 * task's history only the past statuses some subscriber has not been told about yet; the
 * current status lives on the task record only. Version 1 records (full status JSON, the
 * current status repeated in the history) are still read, and updated in place.
 *
 * A status's summary and its items' notes are stored as facts (`x`, and an item row's fifth
 * element); releases before them stored sentences (`m`, a string fifth element, `message` in
 * version 1), which still read, as `written` facts (see `stored-summary.ts`).
 */
import type { ItemNote, TaskItem, TaskKind, TaskState, TaskStatus, TaskSummary } from '../../providers/types';
import type { WatchEndReason } from '../notifier';
import { decodeWatchEndFacts, type WatchEndFacts } from './watch-end-facts';
import { JOB_VERSION, READABLE_RECORD_VERSIONS, groupIdOf } from './watch-keys';
import { readStoredNote, readStoredSummary } from './stored-summary';

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
  /** Set when it ended because a newer task replaced it (TCSS): the newer task's ID. */
  readonly replacedBy: string | null;
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
  /**
   * When the card was posted (engine clock, epoch ms), for platforms whose edits have a time
   * window; null when unknown (a button's message, records of earlier releases): then `startedAt`.
   */
  readonly cardPostedAt: number | null;
  readonly startedAt: string;
  readonly deadlineAt: string;
  readonly endReason: WatchEndReason | null;
  /**
   * Why it ended, as facts (stored as JSON in the hash's `endMessage` field; an older
   * release's sentence reads as `written`); null when none were kept.
   */
  readonly endFacts: WatchEndFacts | null;
  /** True once the ending was said in the thread. */
  readonly endPosted: boolean;
  /** True once the card shows the ending. */
  readonly endCarded: boolean;
  /** How progress alone is told: `card` edits the card only (the default), `thread` also replies. */
  readonly progress: ProgressDelivery;
}

/**
 * How a watch tells a change of progress alone (same state, no failed item): `card` only edits
 * the card; `thread` also posts a thread reply, for channels that want every step.
 */
export type ProgressDelivery = 'card' | 'thread';

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
    super(`Watch record version ${String(found)} is not supported by this release (it reads versions ${READABLE_RECORD_VERSIONS.join(', ')}).`);
  }
}

function requireVersion(fields: Record<string, string>): number {
  const version = Number(fields['v']);
  if (!READABLE_RECORD_VERSIONS.includes(version)) throw new UnsupportedRecordVersionError(fields['v']);
  return version;
}

/** What a stored status does not repeat: it is the same for every status of one task. */
export type StatusIdentity = Pick<TaskStatus, 'kind' | 'id' | 'account' | 'region'>;

/**
 * A status as version 2 stores it: short keys, defaults left out, the task's identity left
 * out where it matches the task record (a TCSS status may name the task the API reported
 * rather than the one asked for), times as epoch ms when that round-trips exactly. Items are
 * `[name, state, raw, progress, note?]`.
 */
interface CompactStatus {
  /** kind, id, account, region: only where they differ from the task record */
  k?: TaskKind;
  n?: string;
  a?: string;
  g?: string | null;
  /** state */
  s: TaskState;
  /** raw status */
  r?: string;
  /** 0 when not found (absent: found) */
  f?: 0;
  /** 1 when terminal */
  t?: 1;
  p?: number;
  /** summary facts */
  x?: TaskSummary;
  /** the summary as a sentence, as releases before summary facts stored it (read only) */
  m?: string;
  /** items; the fifth element is the note's facts, or (stored before them) its sentence */
  i?: [string, TaskState, string, number | null, (ItemNote | string)?][];
  c?: string | number;
  u?: string | number;
  q?: string;
  o: string | number;
  /** subtype (Redis TaskType, CDN area, DCDN object type), when the cloud gave one */
  y?: string;
}

function compactTime(iso: string): string | number {
  const epoch = Date.parse(iso);
  return Number.isFinite(epoch) && new Date(epoch).toISOString() === iso ? epoch : iso;
}

function expandTime(value: string | number): string {
  return typeof value === 'number' ? new Date(value).toISOString() : value;
}

/** Encodes a status for storage next to its task; what matches `identity` (the task record's) is left out. */
export function encodeStatus(status: TaskStatus, identity?: StatusIdentity): string {
  const compact: CompactStatus = { s: status.state, o: compactTime(status.observedAt) };
  if (status.kind !== identity?.kind) compact.k = status.kind;
  if (status.id !== identity?.id) compact.n = status.id;
  if (status.account !== identity?.account) compact.a = status.account;
  if (status.region !== identity?.region) compact.g = status.region;
  if (status.rawStatus) compact.r = status.rawStatus;
  if (!status.found) compact.f = 0;
  if (status.terminal) compact.t = 1;
  if (status.progress !== null) compact.p = status.progress;
  if (status.summary !== null) compact.x = status.summary;
  if (status.items.length > 0) {
    compact.i = status.items.map((item) => {
      const row: [string, TaskState, string, number | null, ItemNote?] = [item.name, item.state, item.rawStatus, item.progress];
      if (item.note !== undefined) row.push(item.note);
      return row;
    });
  }
  if (status.createdAt !== null) compact.c = compactTime(status.createdAt);
  if (status.updatedAt !== null) compact.u = compactTime(status.updatedAt);
  if (status.requestId !== null) compact.q = status.requestId;
  if (status.subtype !== undefined) compact.y = status.subtype;
  return JSON.stringify(compact);
}

/** Decodes a stored status of either version: version 1 stored the full status JSON. */
export function decodeStatus(text: string | undefined, identity: StatusIdentity): TaskStatus | null {
  if (!text) return null;
  const parsed = JSON.parse(text) as Partial<TaskStatus> & Partial<CompactStatus>;
  if ('kind' in parsed) return fromVersionOne(parsed as VersionOneStatus);
  const compact = parsed as CompactStatus;
  return {
    kind: compact.k ?? identity.kind,
    id: compact.n ?? identity.id,
    account: compact.a ?? identity.account,
    region: compact.g === undefined ? identity.region : compact.g,
    found: compact.f !== 0,
    state: compact.s,
    terminal: compact.t === 1,
    rawStatus: compact.r ?? '',
    progress: compact.p ?? null,
    summary: readStoredSummary(compact.x, compact.m),
    items: (compact.i ?? []).map(([name, state, rawStatus, progress, stored]): TaskItem => withNote({ name, state, rawStatus, progress }, readStoredNote(stored))),
    createdAt: compact.c === undefined ? null : expandTime(compact.c),
    updatedAt: compact.u === undefined ? null : expandTime(compact.u),
    requestId: compact.q ?? null,
    observedAt: expandTime(compact.o),
    ...(compact.y !== undefined ? { subtype: compact.y } : {}),
  };
}

/** A status as version 1 stored it: the whole status, with sentences where this release keeps facts. */
type VersionOneStatus = Omit<TaskStatus, 'summary' | 'items'> & {
  readonly message?: string;
  readonly summary?: unknown;
  readonly items?: readonly (Omit<TaskItem, 'note'> & { readonly message?: string; readonly note?: unknown })[];
};

function withNote(item: TaskItem, note: ItemNote | undefined): TaskItem {
  return note === undefined ? item : { ...item, note };
}

function fromVersionOne(stored: VersionOneStatus): TaskStatus {
  const { message, summary, items, ...rest } = stored;
  return {
    ...rest,
    summary: readStoredSummary(summary, message),
    items: (items ?? []).map(({ message: itemMessage, note, ...item }) => withNote(item, readStoredNote(note ?? itemMessage))),
  };
}

function nullable(text: string | undefined): string | null {
  return text === undefined || text === '' ? null : text;
}

/**
 * Reads a task hash and, for version 2, its status (kept under a key of its own); version 1
 * kept the status in the hash. Null when the hash is empty (the task is unknown or expired).
 */
export function readTaskRecord(taskKey: string, fields: Record<string, string>, statusText?: string | null): TaskRecord | null {
  if (Object.keys(fields).length === 0) return null;
  const identity: StatusIdentity = { kind: fields['kind'] as TaskKind, account: fields['account'] ?? '', region: nullable(fields['region']), id: fields['id'] ?? '' };
  return {
    v: requireVersion(fields),
    taskKey,
    ...identity,
    // Version 2 leaves the group out: it follows from kind, account and region.
    groupId: fields['groupId'] || groupIdOf(identity),
    seq: Number(fields['seq'] ?? 0),
    status: decodeStatus(statusText ?? fields['status'], identity),
    everFound: fields['everFound'] === '1',
    pollingSince: Number(fields['pollingSince'] ?? 0),
    endReason: nullable(fields['endReason']) as WatchEndReason | null,
    replacedBy: nullable(fields['replacedBy']),
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
    cardPostedAt: fields['cardPostedAt'] ? Number(fields['cardPostedAt']) : null,
    startedAt: fields['startedAt'] ?? '',
    deadlineAt: fields['deadlineAt'] ?? '',
    endReason: nullable(fields['endReason']) as WatchEndReason | null,
    endFacts: decodeWatchEndFacts(fields['endMessage']),
    endPosted: fields['endPosted'] === '1',
    endCarded: fields['endCarded'] === '1',
    progress: fields['progress'] === 'thread' ? 'thread' : 'card',
  };
}

/** Checks job data written by any release; throws {@link UnsupportedRecordVersionError} for unknown versions. */
export function requireJobVersion<T extends { readonly v: number }>(data: T): T {
  // Job data kept its version-1 shape when the records moved to version 2.
  if (data.v !== JOB_VERSION) throw new UnsupportedRecordVersionError(data.v);
  return data;
}
