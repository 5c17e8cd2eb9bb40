/**
 * The Tencent Cloud task APIs, answering with the documented response shapes:
 * CDN `DescribePushTasks` and `DescribePurgeTasks`, DTS `DescribeAsyncRequestInfo`, Redis `DescribeTaskInfo` and
 * TCSS `DescribeUnfinishRefreshTask`.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { ApiCallContext, ApiRoute } from './api-route';
import { SandboxApiError } from './sandbox-api-error';
import { currentStep, DEFAULT_SANDBOX_REGION, type PlantedTask } from './task-store';
import type { LifecycleStep, SandboxKind } from './types';
import { formatBeijingTime, parseBeijingTime } from './wire-time';

const CDN_STATUSES = ['fail', 'done', 'process', 'invalid'];
const PURGE_STATUSES = ['fail', 'done', 'process'];
const PURGE_TYPES = ['url', 'path'];
const CDN_AREAS = ['mainland', 'overseas', 'global'];
const CDN_DEFAULT_LIMIT = 20;
const CDN_MAX_LIMIT = 100;

function cdnParamError(message: string): SandboxApiError {
  return new SandboxApiError('InvalidParameter.CdnParamError', message);
}

function optionalString(params: Readonly<Record<string, unknown>>, name: string, invalid: (message: string) => SandboxApiError): string | null {
  const value = params[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`${name} must be a string.`);
  return value;
}

function optionalInteger(params: Readonly<Record<string, unknown>>, name: string, fallback: number, min: number, max: number): number {
  const value = params[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw cdnParamError(`${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

function requireRegion(context: ApiCallContext): string {
  if (context.region === null || context.region === '') {
    throw new SandboxApiError('MissingParameter', 'The request is missing a required parameter `Region`.');
  }
  return context.region;
}

function keywordMatches(keyword: string, url: string): boolean {
  if (/^https?:\/\//i.test(keyword)) return url === keyword;
  try {
    return new URL(url).hostname.toLowerCase() === keyword.toLowerCase();
  } catch {
    return false;
  }
}

/** The filters CDN's log listings (`DescribePushTasks`, `DescribePurgeTasks`) share, checked as the API checks them. */
interface CdnLogQuery {
  readonly taskId: string | null;
  readonly start: number | null;
  readonly end: number | null;
  readonly keyword: string | null;
  readonly area: string | null;
  readonly status: string | null;
  readonly offset: number;
  readonly limit: number;
}

function readCdnLogQuery(context: ApiCallContext, statuses: readonly string[]): CdnLogQuery {
  const { params } = context;
  const taskId = optionalString(params, 'TaskId', cdnParamError);
  const startText = optionalString(params, 'StartTime', cdnParamError);
  const endText = optionalString(params, 'EndTime', cdnParamError);
  const keyword = optionalString(params, 'Keyword', cdnParamError);
  const area = optionalString(params, 'Area', cdnParamError);
  const status = optionalString(params, 'Status', cdnParamError);
  const offset = optionalInteger(params, 'Offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = optionalInteger(params, 'Limit', CDN_DEFAULT_LIMIT, 1, CDN_MAX_LIMIT);

  if ((taskId === null || taskId === '') && (startText === null || startText === '')) {
    throw cdnParamError('You must specify either TaskId or StartTime.');
  }
  let start: number | null = null;
  let end: number | null = null;
  if (startText !== null && startText !== '') {
    start = parseBeijingTime(startText);
    end = endText === null || endText === '' ? context.now : parseBeijingTime(endText);
    if (start === null || end === null) {
      throw new SandboxApiError('InvalidParameter.CdnStatInvalidDate', 'StartTime and EndTime must look like 2018-08-08 00:00:00.');
    }
    if (end < start) throw new SandboxApiError('InvalidParameter.CdnStatInvalidDate', 'EndTime must not be earlier than StartTime.');
  }
  if (area !== null && !CDN_AREAS.includes(area)) throw cdnParamError(`Area must be one of ${CDN_AREAS.join(', ')}.`);
  if (status !== null && !statuses.includes(status)) throw cdnParamError(`Status must be one of ${statuses.join(', ')}.`);
  return { taskId: taskId === '' ? null : taskId, start, end, keyword: keyword === '' ? null : keyword, area, status, offset, limit };
}

/** True when a planted task belongs in the listing: its ID, its creation second inside the window, its area. */
function cdnTaskMatches(query: CdnLogQuery, task: PlantedTask): boolean {
  if (query.taskId !== null && task.id !== query.taskId) return false;
  // Beijing-time strings have second precision, so the window is compared at that precision.
  const createdSecond = Math.floor(task.createdAt / 1000) * 1000;
  if (query.start !== null && query.end !== null && (createdSecond < query.start || createdSecond > query.end)) return false;
  return query.area === null || (task.attributes['Area'] ?? 'mainland') === query.area;
}

/** CDN `DescribePushTasks` 2018-06-06: prefetch records, one PushLog per URL, newest first. */
function describePushTasks(context: ApiCallContext): Record<string, unknown> {
  const query = readCdnLogQuery(context, CDN_STATUSES);
  const pushLogs: Record<string, unknown>[] = [];
  for (const task of context.tasks.visible('cdn', context.credentialId, context.now)) {
    if (!cdnTaskMatches(query, task)) continue;
    for (const item of task.items) {
      const { step, since } = currentStep(item.steps, task.createdAt, context.now);
      if (query.status !== null && step.status !== query.status) continue;
      if (query.keyword !== null && !keywordMatches(query.keyword, item.name)) continue;
      pushLogs.push({
        TaskId: task.id,
        Url: item.name,
        Status: step.status,
        Percent: step.percent ?? (step.status === 'done' ? 100 : 0),
        CreateTime: formatBeijingTime(task.createdAt),
        UpdateTime: formatBeijingTime(since),
        Area: task.attributes['Area'] ?? 'mainland',
      });
    }
  }
  return { PushLogs: pushLogs.slice(query.offset, query.offset + query.limit), TotalCount: pushLogs.length };
}

/**
 * CDN `DescribePurgeTasks` 2018-06-06: purge records, one PurgeLog per URL or directory,
 * newest first, with `PurgeType` (`url`|`path`) and `FlushType`; no percent, no update time.
 */
function describePurgeTasks(context: ApiCallContext): Record<string, unknown> {
  const query = readCdnLogQuery(context, PURGE_STATUSES);
  const purgeType = optionalString(context.params, 'PurgeType', cdnParamError);
  if (purgeType !== null && purgeType !== '' && !PURGE_TYPES.includes(purgeType)) throw cdnParamError(`PurgeType must be one of ${PURGE_TYPES.join(', ')}.`);
  const purgeLogs: Record<string, unknown>[] = [];
  for (const task of context.tasks.visible('purge', context.credentialId, context.now)) {
    if (!cdnTaskMatches(query, task)) continue;
    const taskPurgeType = task.attributes['PurgeType'] ?? 'url';
    if (purgeType !== null && purgeType !== '' && taskPurgeType !== purgeType) continue;
    for (const item of task.items) {
      const { step } = currentStep(item.steps, task.createdAt, context.now);
      if (query.status !== null && step.status !== query.status) continue;
      if (query.keyword !== null && !keywordMatches(query.keyword, item.name)) continue;
      purgeLogs.push({
        TaskId: task.id,
        Url: item.name,
        Status: step.status,
        PurgeType: taskPurgeType,
        FlushType: task.attributes['FlushType'] ?? (taskPurgeType === 'path' ? 'flush' : 'delete'),
        CreateTime: formatBeijingTime(task.createdAt),
      });
    }
  }
  return { PurgeLogs: purgeLogs.slice(query.offset, query.offset + query.limit), TotalCount: purgeLogs.length };
}

/** DTS `DescribeAsyncRequestInfo` 2018-03-30: one async request's Status and Info in a region. */
function describeAsyncRequestInfo(context: ApiCallContext): Record<string, unknown> {
  const region = requireRegion(context);
  const requestId = context.params['AsyncRequestId'];
  if (requestId === undefined || requestId === null || requestId === '') {
    throw new SandboxApiError('MissingParameter', 'The request is missing a required parameter `AsyncRequestId`.');
  }
  if (typeof requestId !== 'string') throw new SandboxApiError('InvalidParameter', 'AsyncRequestId must be a string.');
  const task = context.tasks.visible('dts', context.credentialId, context.now).find((candidate) => candidate.id === requestId && candidate.region === region);
  if (!task) throw new SandboxApiError('ResourceNotFound', 'The resource does not exist.');
  const { step } = currentStep(task.steps, task.createdAt, context.now);
  return { Status: step.status, Info: step.message ?? '' };
}

/** Redis `DescribeTaskInfo` 2018-04-12: one task's Status in a region; TaskId is an integer. */
function describeTaskInfo(context: ApiCallContext): Record<string, unknown> {
  const region = requireRegion(context);
  const taskId = context.params['TaskId'];
  if (taskId === undefined || taskId === null) throw new SandboxApiError('MissingParameter', 'The request is missing a required parameter `TaskId`.');
  if (typeof taskId !== 'number' || !Number.isSafeInteger(taskId) || taskId < 0) {
    throw new SandboxApiError('InvalidParameter.InvalidParameter', 'TaskId must be an integer.');
  }
  const task = context.tasks
    .visible('redis', context.credentialId, context.now)
    .find((candidate) => candidate.id === String(taskId) && candidate.region === region);
  if (!task) throw new SandboxApiError('ResourceNotFound', 'The resource does not exist.');
  const { step } = currentStep(task.steps, task.createdAt, context.now);
  return {
    Status: step.status,
    StartTime: formatBeijingTime(task.createdAt),
    TaskType: task.attributes['TaskType'] ?? 'FLUSH_INSTANCE',
    InstanceId: task.attributes['InstanceId'] ?? 'crs-sandbox1',
    TaskMessage: step.message ?? '',
  };
}

/** TCSS `DescribeUnfinishRefreshTask` 2020-11-01: the caller's latest asset-refresh task. */
function describeUnfinishRefreshTask(context: ApiCallContext): Record<string, unknown> {
  const latest = context.tasks.visible('tcss', context.credentialId, context.now)[0];
  if (!latest) return { TaskId: 0, TaskStatus: 'Task_NoExist' };
  const { step } = currentStep(latest.steps, latest.createdAt, context.now);
  return { TaskId: Number(latest.id), TaskStatus: step.status };
}

/** Every Tencent Cloud action the sandbox serves. */
export const TENCENT_ROUTES: readonly ApiRoute[] = [
  { cloud: 'tencent', action: 'DescribePushTasks', version: '2018-06-06', handle: describePushTasks },
  { cloud: 'tencent', action: 'DescribePurgeTasks', version: '2018-06-06', handle: describePurgeTasks },
  { cloud: 'tencent', action: 'DescribeAsyncRequestInfo', version: '2018-03-30', handle: describeAsyncRequestInfo },
  { cloud: 'tencent', action: 'DescribeTaskInfo', version: '2018-04-12', handle: describeTaskInfo },
  { cloud: 'tencent', action: 'DescribeUnfinishRefreshTask', version: '2020-11-01', handle: describeUnfinishRefreshTask },
];

const SECOND = 1000;

/** A demo prefetch URL: `process` 0%, 40% half-way, `done` 100% after `afterMs`. */
function demoPrefetch(afterMs: number): LifecycleStep[] {
  return [
    { afterMs: 0, status: 'process', percent: 0 },
    { afterMs: afterMs / 2, status: 'process', percent: 40 },
    { afterMs, status: 'done', percent: 100 },
  ];
}

const WITHOUT_SPACES = { idPattern: /^\S{1,128}$/, idDescription: 'a string without spaces' };
const POSITIVE_INTEGER = { idPattern: /^[1-9]\d{0,14}$/, idDescription: 'a positive integer' };

/** How each kind these APIs serve is planted by default, and in the demo. */
export const TENCENT_KINDS: readonly SandboxKind[] = [
  {
    kind: 'cdn',
    defaultSteps: [
      { afterMs: 0, status: 'process', percent: 0 },
      { afterMs: 30_000, status: 'process', percent: 40 },
      { afterMs: 60_000, status: 'done', percent: 100 },
    ],
    defaultItemName: 'https://www.example.com/index.html',
    ...WITHOUT_SPACES,
    // CDN prefetch IDs are 19 digits that start with the creation second.
    newId: (createdAt) => `${Math.floor(createdAt / 1000)}${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`,
    timed: { running: 'process', done: 'done', percent: true, itemName: 'https://timed.example.com/asset' },
    demoTasks: [
      {
        name: 'prefetch',
        spec: {
          id: '2026000000000000001',
          items: [
            { name: 'https://demo.example.com/index.html', steps: demoPrefetch(50 * SECOND) },
            { name: 'https://demo.example.com/app.js', steps: demoPrefetch(60 * SECOND) },
            { name: 'https://demo.example.com/logo.png', steps: demoPrefetch(70 * SECOND) },
          ],
          attributes: { Area: 'mainland' },
        },
        describe: (id) => `${id}  3 URLs, prefetch completes`,
      },
      {
        name: 'withInvalidUrl',
        spec: {
          id: '2026000000000000002',
          items: [
            { name: 'https://demo.example.com/about.html', steps: demoPrefetch(45 * SECOND) },
            {
              name: 'https://demo.example.com/missing.html',
              steps: [
                { afterMs: 0, status: 'process', percent: 0 },
                { afterMs: 30 * SECOND, status: 'invalid', percent: 0 },
              ],
            },
          ],
          attributes: { Area: 'mainland' },
        },
        describe: (id) => `${id}  one URL ends invalid (origin answered 4xx/5xx)`,
      },
      {
        name: 'failing',
        spec: {
          id: '2026000000000000003',
          items: [
            {
              name: 'https://demo.example.com/video.mp4',
              steps: [
                { afterMs: 0, status: 'process', percent: 0 },
                { afterMs: 20 * SECOND, status: 'process', percent: 30 },
                { afterMs: 50 * SECOND, status: 'fail', percent: 30 },
              ],
            },
          ],
          attributes: { Area: 'overseas' },
        },
        describe: (id) => `${id}  prefetch fails`,
      },
    ],
    demoTry: (id) => `cdn ${id('prefetch')} --wait`,
  },
  {
    kind: 'purge',
    defaultSteps: [
      { afterMs: 0, status: 'process' },
      { afterMs: 60_000, status: 'done' },
    ],
    defaultItemName: 'https://www.example.com/static/app.css',
    ...WITHOUT_SPACES,
    // CDN purge IDs are the creation second, a dash and eight lowercase letters or digits.
    newId: (createdAt) => `${Math.floor(createdAt / 1000)}-${randomInt(0, 36 ** 8).toString(36).padStart(8, '0')}`,
    timed: { running: 'process', done: 'done', percent: false, itemName: 'https://timed.example.com/purged/' },
    demoTasks: [
      {
        name: 'urls',
        spec: {
          id: '1767225600-demo0001',
          items: [
            { name: 'https://demo.example.com/index.html', steps: [{ afterMs: 0, status: 'process' }, { afterMs: 40 * SECOND, status: 'done' }] },
            { name: 'https://demo.example.com/app.js', steps: [{ afterMs: 0, status: 'process' }, { afterMs: 55 * SECOND, status: 'done' }] },
          ],
          attributes: { PurgeType: 'url', FlushType: 'delete' },
        },
        describe: (id) => `${id}  2 URLs, purge completes`,
      },
      {
        name: 'failing',
        spec: {
          id: '1767225600-demo0002',
          items: [{ name: 'https://demo.example.com/static/', steps: [{ afterMs: 0, status: 'process' }, { afterMs: 45 * SECOND, status: 'fail' }] }],
          attributes: { PurgeType: 'path', FlushType: 'flush' },
        },
        describe: (id) => `${id}  directory purge fails`,
      },
    ],
  },
  {
    kind: 'dts',
    defaultSteps: [
      { afterMs: 0, status: 'running', message: '' },
      { afterMs: 60_000, status: 'success', message: 'ok' },
    ],
    ...WITHOUT_SPACES,
    newId: () => randomUUID(),
    timed: { running: 'running', done: 'success', percent: false },
    demoTasks: [
      {
        name: 'migration',
        spec: {
          id: 'cafebabe-2026-4000-8000-000000000001',
          region: DEFAULT_SANDBOX_REGION,
          steps: [
            { afterMs: 0, status: 'running', message: 'Isolating the migration job' },
            { afterMs: 60 * SECOND, status: 'success', message: 'ok' },
          ],
        },
        describe: (id) => `${id}  (region ${DEFAULT_SANDBOX_REGION})`,
      },
    ],
  },
  {
    kind: 'redis',
    defaultSteps: [
      { afterMs: 0, status: 'preparing' },
      { afterMs: 10_000, status: 'running' },
      { afterMs: 60_000, status: 'succeed' },
    ],
    ...POSITIVE_INTEGER,
    newId: (_createdAt, counter) => String(counter),
    timed: { running: 'running', done: 'succeed', percent: false },
    demoTasks: [
      {
        name: 'flush',
        spec: {
          id: '20261',
          region: DEFAULT_SANDBOX_REGION,
          steps: [
            { afterMs: 0, status: 'preparing' },
            { afterMs: 15 * SECOND, status: 'running' },
            { afterMs: 70 * SECOND, status: 'succeed' },
          ],
          attributes: { TaskType: 'FLUSH_INSTANCE', InstanceId: 'crs-demo0001' },
        },
        describe: (id) => `${id}  (region ${DEFAULT_SANDBOX_REGION})`,
      },
    ],
    demoTry: (id) => `redis ${id('flush')} --region ${DEFAULT_SANDBOX_REGION}`,
  },
  {
    kind: 'tcss',
    defaultSteps: [
      { afterMs: 0, status: 'Task_New' },
      { afterMs: 10_000, status: 'Task_Running' },
      { afterMs: 60_000, status: 'Task_Finish' },
    ],
    ...POSITIVE_INTEGER,
    newId: (_createdAt, counter) => String(counter),
    timed: { running: 'Task_Running', done: 'Task_Finish', percent: false },
    demoTasks: [
      {
        name: 'latest',
        spec: {
          id: '2026',
          steps: [
            { afterMs: 0, status: 'Task_New' },
            { afterMs: 10 * SECOND, status: 'Task_Running' },
            { afterMs: 90 * SECOND, status: 'Task_Finish' },
          ],
        },
        // TCSS takes no ID: the demo task is what it reports as the latest.
        describe: (id) => `latest task ${id}`,
      },
    ],
  },
];
