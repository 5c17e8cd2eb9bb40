/** The Alibaba Cloud task API: DCDN `DescribeDcdnRefreshTaskById`, with its 10-ID and 3-day limits. */
import type { ApiCallContext, ApiRoute } from './api-route';
import { SandboxApiError } from './sandbox-api-error';
import { currentStep } from './task-store';
import type { SandboxKind } from './types';
import { formatUtcSeconds } from './wire-time';

/** How many task IDs one call may name. */
export const DCDN_MAX_TASK_IDS = 10;

/** How far back DCDN answers; older tasks are simply not returned. */
export const DCDN_QUERY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;

/** DCDN `DescribeDcdnRefreshTaskById` 2018-01-15: one row per object path of each known ID. */
function describeDcdnRefreshTaskById(context: ApiCallContext): Record<string, unknown> {
  const raw = context.params['TaskId'];
  if (typeof raw !== 'string' || raw.trim() === '') throw new SandboxApiError('MissingTaskId', 'TaskId is mandatory for this action.', 400);
  const ids = raw.split(',').map((id) => id.trim());
  if (ids.length > DCDN_MAX_TASK_IDS) throw new SandboxApiError('InvalidTaskId', 'The maximum number of taskIds is 10.', 400);
  if (ids.some((id) => !/^\d{1,19}$/.test(id))) throw new SandboxApiError('InvalidTaskId.Malformed', 'The specified TaskId is invalid.', 400);

  const visible = context.tasks
    .visible('dcdn', context.credentialId, context.now)
    .filter((task) => context.now - task.createdAt <= DCDN_QUERY_WINDOW_MS);
  const rows: Record<string, unknown>[] = [];
  for (const id of new Set(ids)) {
    const task = visible.find((candidate) => candidate.id === id);
    if (!task) continue;
    for (const item of task.items) {
      const { step } = currentStep(item.steps, task.createdAt, context.now);
      rows.push({
        Status: step.status,
        CreationTime: formatUtcSeconds(task.createdAt),
        ObjectType: task.attributes['ObjectType'] ?? 'file',
        Process: `${step.percent ?? (step.status === 'Complete' ? 100 : 0)}%`,
        Description: step.message ?? '',
        ObjectPath: item.name,
        TaskId: task.id,
      });
    }
  }
  return { TotalCount: rows.length, Tasks: rows };
}

/** Every Alibaba Cloud action the sandbox serves. */
export const ALIBABA_ROUTES: readonly ApiRoute[] = [
  { cloud: 'alibaba', action: 'DescribeDcdnRefreshTaskById', version: '2018-01-15', handle: describeDcdnRefreshTaskById },
];

const SECOND = 1000;

/** How the kind this API serves is planted by default, and in the demo. */
export const ALIBABA_KINDS: readonly SandboxKind[] = [
  {
    kind: 'dcdn',
    defaultSteps: [
      { afterMs: 0, status: 'Pending', percent: 0 },
      { afterMs: 15_000, status: 'Refreshing', percent: 50 },
      { afterMs: 60_000, status: 'Complete', percent: 100 },
    ],
    defaultItemName: 'http://example.com/image_01.png',
    idPattern: /^\d{1,19}$/,
    idDescription: 'digits only',
    newId: (_createdAt, counter) => `1${String(counter).padStart(10, '0')}`,
    timed: { running: 'Refreshing', done: 'Complete', percent: true, itemName: 'http://timed.example.com/object' },
    demoTasks: [
      {
        name: 'refresh',
        spec: {
          id: '20260000001',
          items: [
            {
              name: 'http://demo.example.com/images/',
              steps: [
                { afterMs: 0, status: 'Pending', percent: 0 },
                { afterMs: 15 * SECOND, status: 'Refreshing', percent: 30 },
                { afterMs: 40 * SECOND, status: 'Refreshing', percent: 70 },
                { afterMs: 75 * SECOND, status: 'Complete', percent: 100 },
              ],
            },
          ],
          attributes: { ObjectType: 'directory' },
        },
        describe: (id) => `${id}  refresh completes`,
      },
      {
        name: 'failing',
        spec: {
          id: '20260000002',
          items: [
            {
              name: 'http://demo.example.com/image_01.png',
              steps: [
                { afterMs: 0, status: 'Pending', percent: 0 },
                { afterMs: 15 * SECOND, status: 'Refreshing', percent: 20 },
                { afterMs: 45 * SECOND, status: 'Failed', percent: 20, message: 'Internal Error' },
              ],
            },
          ],
          attributes: { ObjectType: 'file' },
        },
        describe: (id) => `${id}  refresh fails`,
      },
    ],
    demoTry: (id) => `dcdn ${id('refresh')} ${id('failing')}`,
  },
];
