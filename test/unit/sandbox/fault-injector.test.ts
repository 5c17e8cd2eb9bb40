import { FaultInjector } from '../../../src/sandbox/fault-injector';

describe('sandbox fault injector', () => {
  it('given a fault with a count, then it hits that many matching calls and then none', () => {
    const faults = new FaultInjector();
    faults.inject({ type: 'http500', count: 2 });
    expect([faults.take('tencent', 'A')?.type, faults.take('alibaba', 'B')?.type, faults.take('tencent', 'A')]).toEqual(['http500', 'http500', null]);
  });

  it('given cloud and action filters, then only matching calls are hit, earliest fault first', () => {
    const faults = new FaultInjector();
    faults.inject({ type: 'hang', cloud: 'alibaba' });
    faults.inject({ type: 'throttle', action: 'DescribeTaskInfo' });
    expect(faults.take('tencent', 'DescribePushTasks')).toBeNull();
    expect(faults.take('tencent', 'DescribeTaskInfo')?.type).toBe('throttle');
    expect(faults.take('alibaba', 'DescribeTaskInfo')?.type).toBe('hang');
    faults.clear();
    expect(faults.take('alibaba', 'X')).toBeNull();
  });

  it('given a count that is not a whole number of at least 1, then inject throws', () => {
    expect(() => new FaultInjector().inject({ type: 'html', count: 0 })).toThrow(RangeError);
    expect(() => new FaultInjector().inject({ type: 'html', count: 1.5 })).toThrow(RangeError);
  });
});
