/**
 * A well-formed {@link TaskStatus} for tests that render or deliver one: a running DCDN task
 * at 50 %, observed at a fixed instant. Each test overrides only what it is about.
 */
import type { TaskStatus } from '../../src/providers/types';

/** A running DCDN task status with `overrides` applied. */
export function taskStatus(overrides: Partial<TaskStatus> = {}): TaskStatus {
  return {
    kind: 'dcdn',
    id: '17772470184',
    account: 'default',
    region: null,
    found: true,
    state: 'running',
    terminal: false,
    rawStatus: 'Refreshing',
    progress: 50,
    summary: null,
    items: [],
    createdAt: null,
    updatedAt: null,
    requestId: 'req-1',
    observedAt: '2026-11-23T12:00:00.000Z',
    ...overrides,
  };
}
