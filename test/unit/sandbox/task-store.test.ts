import { currentStep, TaskStore as PlainTaskStore } from '../../../src/sandbox/task-store';
import { SANDBOX_KINDS } from '../../../src/sandbox/sandbox-kinds';
import { TASK_KINDS } from '../../../src/providers/types';
import type { Clock } from '../../../src/util/clock';
import { ManualClock } from '../../../src/util/clock';

/** A store that knows every kind the sandbox's APIs serve, as the sandbox builds it. */
class TaskStore extends PlainTaskStore {
  constructor(clock: Clock) {
    super(clock, SANDBOX_KINDS);
  }
}

describe('sandbox task store', () => {
  it('given the kinds the sandbox APIs declare, then every task kind is served exactly once', () => {
    expect(SANDBOX_KINDS.map((served) => served.kind).sort()).toEqual([...TASK_KINDS].sort());
  });

  const steps = [
    { afterMs: 10, status: 'b' },
    { afterMs: 0, status: 'a' },
    { afterMs: 20, status: 'c' },
  ];

  it('given a lifecycle, then the current step is the last reached, or the first before any', () => {
    const store = new TaskStore(new ManualClock(1000));
    store.add({ kind: 'dts', id: 'x', steps });
    const [task] = store.visible('dts', 'anyone', 1000);
    const at = (now: number) => currentStep(task!.steps, 1000, now);
    expect([at(1000).step.status, at(1009).step.status, at(1010).step.status, at(5000).step.status]).toEqual(['a', 'a', 'b', 'c']);
    expect(at(5000).since).toBe(1020);
    expect(currentStep([{ afterMs: 50, status: 'late' }], 1000, 1000)).toEqual({ step: { afterMs: 50, status: 'late' }, since: 1050 });
  });

  it('given no ID, then each kind gets one in its real format', () => {
    const store = new TaskStore(new ManualClock());
    expect(store.add({ kind: 'cdn' })).toMatch(/^\d{19}$/);
    expect(store.add({ kind: 'dcdn' })).toMatch(/^\d{11}$/);
    expect(store.add({ kind: 'dts' })).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(store.add({ kind: 'redis' })).toMatch(/^[1-9]\d*$/);
    expect(store.add({ kind: 'purge' })).toMatch(/^\d{10}-[0-9a-z]{8}$/);
    const first = store.add({ kind: 'tcss' });
    expect(store.add({ kind: 'tcss' })).not.toBe(first);
  });

  it('given invalid specs, then add throws a RangeError that names the problem', () => {
    const store = new TaskStore(new ManualClock());
    store.add({ kind: 'redis', id: '5' });
    expect(() => store.add({ kind: 'redis', id: '5' })).toThrow(/already planted/);
    expect(() => store.add({ kind: 'redis', id: 'abc' })).toThrow(/positive integer/);
    expect(() => store.add({ kind: 'dcdn', id: '12a' })).toThrow(/digits only/);
    expect(() => store.add({ kind: 'dts', steps: [] })).toThrow(/at least one lifecycle step/);
    expect(() => store.add({ kind: 'cdn', items: [] })).toThrow(/at least one item/);
    expect(() => store.add({ kind: 'tcss', steps: [{ afterMs: -1, status: 'Task_New' }] })).toThrow(/non-negative/);
  });

  it('given owners and creation times, then visibility follows the credential and the clock, newest first', () => {
    const store = new TaskStore(new ManualClock(1000));
    store.add({ kind: 'tcss', id: '1', createdAt: 500 });
    store.add({ kind: 'tcss', id: '2', owner: 'alice' });
    store.add({ kind: 'tcss', id: '3', createdAt: 2000 });
    expect(store.visible('tcss', 'alice', 1000).map((task) => task.id)).toEqual(['2', '1']);
    expect(store.visible('tcss', 'bob', 1000).map((task) => task.id)).toEqual(['1']);
    expect(store.visible('tcss', 'bob', 2000).map((task) => task.id)).toEqual(['3', '1']);
  });
});
