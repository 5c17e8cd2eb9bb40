/**
 * Demo tasks for the "try it without a cloud account" mode: one or more tasks of every kind,
 * with memorable IDs, that progress in real time over one to two minutes and then stay put.
 */
import type { TaskKind } from '../providers/types';
import type { SandboxTaskSpec } from './types';
import { DEFAULT_SANDBOX_REGION } from './task-store';

/** The IDs {@link plantDemoTasks} planted. */
export interface DemoTaskIds {
  /** The region the DTS and Redis demo tasks live in. */
  readonly region: string;
  readonly cdn: {
    /** Three URLs going `process` 0% -> 40% -> `done`. */
    readonly prefetch: string;
    /** Two URLs: one `done`, one `invalid` (the origin answered 4xx/5xx). */
    readonly withInvalidUrl: string;
    /** One URL that ends `fail`. */
    readonly failing: string;
  };
  readonly dcdn: {
    /** `Pending` -> `Refreshing` -> `Complete`. */
    readonly refresh: string;
    /** `Pending` -> `Refreshing` -> `Failed`. */
    readonly failing: string;
  };
  readonly purge: {
    /** Two URLs going `process` -> `done`. */
    readonly urls: string;
    /** A directory purge (`path`, `flush`) that ends `fail`. */
    readonly failing: string;
  };
  /** `running` -> `success`. */
  readonly dts: string;
  /** `preparing` -> `running` -> `succeed`. */
  readonly redis: string;
  /** `Task_New` -> `Task_Running` -> `Task_Finish`; TCSS takes no ID, this is what it reports. */
  readonly tcss: string;
  /** Every planted ID, by kind, in the order above. */
  readonly byKind: Readonly<Record<TaskKind, readonly string[]>>;
}

const SECOND = 1000;

/**
 * Plants the demo tasks, created now on the sandbox clock, visible to every credential.
 * Throws if they are already planted.
 */
export function plantDemoTasks(sandbox: { addTask(spec: SandboxTaskSpec): string }): DemoTaskIds {
  const region = DEFAULT_SANDBOX_REGION;
  const prefetchUrl = (afterMs: number) => [
    { afterMs: 0, status: 'process', percent: 0 },
    { afterMs: afterMs / 2, status: 'process', percent: 40 },
    { afterMs, status: 'done', percent: 100 },
  ];

  const cdnPrefetch = sandbox.addTask({
    kind: 'cdn',
    id: '2026000000000000001',
    items: [
      { name: 'https://demo.example.com/index.html', steps: prefetchUrl(50 * SECOND) },
      { name: 'https://demo.example.com/app.js', steps: prefetchUrl(60 * SECOND) },
      { name: 'https://demo.example.com/logo.png', steps: prefetchUrl(70 * SECOND) },
    ],
    attributes: { Area: 'mainland' },
  });
  const cdnWithInvalidUrl = sandbox.addTask({
    kind: 'cdn',
    id: '2026000000000000002',
    items: [
      { name: 'https://demo.example.com/about.html', steps: prefetchUrl(45 * SECOND) },
      {
        name: 'https://demo.example.com/missing.html',
        steps: [
          { afterMs: 0, status: 'process', percent: 0 },
          { afterMs: 30 * SECOND, status: 'invalid', percent: 0 },
        ],
      },
    ],
    attributes: { Area: 'mainland' },
  });
  const cdnFailing = sandbox.addTask({
    kind: 'cdn',
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
  });

  const dcdnRefresh = sandbox.addTask({
    kind: 'dcdn',
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
  });
  const dcdnFailing = sandbox.addTask({
    kind: 'dcdn',
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
  });

  const purgeUrls = sandbox.addTask({
    kind: 'purge',
    id: '1767225600-demo0001',
    items: [
      { name: 'https://demo.example.com/index.html', steps: [{ afterMs: 0, status: 'process' }, { afterMs: 40 * SECOND, status: 'done' }] },
      { name: 'https://demo.example.com/app.js', steps: [{ afterMs: 0, status: 'process' }, { afterMs: 55 * SECOND, status: 'done' }] },
    ],
    attributes: { PurgeType: 'url', FlushType: 'delete' },
  });
  const purgeFailing = sandbox.addTask({
    kind: 'purge',
    id: '1767225600-demo0002',
    items: [{ name: 'https://demo.example.com/static/', steps: [{ afterMs: 0, status: 'process' }, { afterMs: 45 * SECOND, status: 'fail' }] }],
    attributes: { PurgeType: 'path', FlushType: 'flush' },
  });

  const dts = sandbox.addTask({
    kind: 'dts',
    id: 'cafebabe-2026-4000-8000-000000000001',
    region,
    steps: [
      { afterMs: 0, status: 'running', message: 'Isolating the migration job' },
      { afterMs: 60 * SECOND, status: 'success', message: 'ok' },
    ],
  });
  const redis = sandbox.addTask({
    kind: 'redis',
    id: '20261',
    region,
    steps: [
      { afterMs: 0, status: 'preparing' },
      { afterMs: 15 * SECOND, status: 'running' },
      { afterMs: 70 * SECOND, status: 'succeed' },
    ],
    attributes: { TaskType: 'FLUSH_INSTANCE', InstanceId: 'crs-demo0001' },
  });
  const tcss = sandbox.addTask({
    kind: 'tcss',
    id: '2026',
    steps: [
      { afterMs: 0, status: 'Task_New' },
      { afterMs: 10 * SECOND, status: 'Task_Running' },
      { afterMs: 90 * SECOND, status: 'Task_Finish' },
    ],
  });

  return {
    region,
    cdn: { prefetch: cdnPrefetch, withInvalidUrl: cdnWithInvalidUrl, failing: cdnFailing },
    dcdn: { refresh: dcdnRefresh, failing: dcdnFailing },
    purge: { urls: purgeUrls, failing: purgeFailing },
    dts,
    redis,
    tcss,
    byKind: {
      cdn: [cdnPrefetch, cdnWithInvalidUrl, cdnFailing],
      dcdn: [dcdnRefresh, dcdnFailing],
      dts: [dts],
      purge: [purgeUrls, purgeFailing],
      redis: [redis],
      tcss: [tcss],
    },
  };
}
