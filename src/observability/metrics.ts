/**
 * Prometheus metrics (prom-client) on a registry of our own, so tests can create several
 * independent sets in one process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric taskwatch exports. */
export interface TaskwatchMetrics {
  readonly registry: Registry;
  /** Commands run, by kind (or subcommand) and outcome. */
  readonly commands: Counter<'platform' | 'command' | 'kind' | 'outcome'>;
  /** Provider calls, by API and result code (`ok` or the ProviderError code). */
  readonly providerCalls: Counter<'api' | 'result'>;
  /** Provider call latency in seconds, by API. */
  readonly providerLatency: Histogram<'api'>;
  /** Throttling answers received, by API. */
  readonly throttles: Counter<'api'>;
  /** Watches currently active. */
  readonly activeWatches: Gauge;
  /** Watches currently active, by task kind and account: who draws on which account's quota. */
  readonly activeWatchesByAccount: Gauge<'kind' | 'account'>;
  /** Calls admitted by the shared rate budget, per quota bucket (API, region, account name). */
  readonly rateBudgetCalls: Counter<'api' | 'region' | 'account'>;
  /** Seconds calls waited for the shared rate budget, per quota bucket. */
  readonly rateBudgetWait: Counter<'api' | 'region' | 'account'>;
  /** Notifications by platform and outcome (`sent`, `failed`, `retried`). */
  readonly notifications: Counter<'platform' | 'outcome'>;
  /** Jobs waiting or delayed, by queue. */
  readonly queueDepth: Gauge<'queue' | 'state'>;
  /** How long watched and subscribed tasks took from start to end, in seconds, by kind and account. */
  readonly taskDurations: Histogram<'kind' | 'account'>;
}

/**
 * Buckets of {@link TaskwatchMetrics.taskDurations}: cloud tasks take from seconds (a small
 * refresh) to hours (a DTS migration step), so the buckets grow roughly threefold.
 */
export const TASK_DURATION_BUCKETS: readonly number[] = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400, 43_200];

/** Creates the metrics on a fresh registry. */
export function createMetrics(options: { readonly defaultMetrics?: boolean } = {}): TaskwatchMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'taskwatch_' });
  return {
    registry,
    commands: new Counter({
      name: 'taskwatch_commands_total',
      help: 'Chat and CLI commands, by platform, command, kind and outcome',
      labelNames: ['platform', 'command', 'kind', 'outcome'],
      registers: [registry],
    }),
    providerCalls: new Counter({
      name: 'taskwatch_provider_calls_total',
      help: 'Cloud API calls, by API and result code',
      labelNames: ['api', 'result'],
      registers: [registry],
    }),
    providerLatency: new Histogram({
      name: 'taskwatch_provider_call_duration_seconds',
      help: 'Cloud API call latency, by API',
      labelNames: ['api'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    throttles: new Counter({
      name: 'taskwatch_provider_throttles_total',
      help: 'Throttling answers from cloud APIs, by API',
      labelNames: ['api'],
      registers: [registry],
    }),
    activeWatches: new Gauge({ name: 'taskwatch_active_watches', help: 'Watches currently active', registers: [registry] }),
    activeWatchesByAccount: new Gauge({
      name: 'taskwatch_active_watches_by_account',
      help: 'Watches currently active, by task kind and account',
      labelNames: ['kind', 'account'],
      registers: [registry],
    }),
    rateBudgetCalls: new Counter({
      name: 'taskwatch_rate_budget_calls_total',
      help: 'Cloud calls admitted by the shared rate budget, by quota bucket (API, region, account)',
      labelNames: ['api', 'region', 'account'],
      registers: [registry],
    }),
    rateBudgetWait: new Counter({
      name: 'taskwatch_rate_budget_wait_seconds_total',
      help: 'Seconds cloud calls waited for the shared rate budget, by quota bucket (API, region, account)',
      labelNames: ['api', 'region', 'account'],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'taskwatch_notifications_total',
      help: 'Chat notifications, by platform and outcome (sent, failed, retried)',
      labelNames: ['platform', 'outcome'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'taskwatch_queue_depth',
      help: 'Jobs in each queue, by state',
      labelNames: ['queue', 'state'],
      registers: [registry],
    }),
    taskDurations: new Histogram({
      name: 'taskwatch_task_duration_seconds',
      help: 'How long watched and subscribed tasks took from start to end, by kind and account',
      labelNames: ['kind', 'account'],
      buckets: [...TASK_DURATION_BUCKETS],
      registers: [registry],
    }),
  };
}
