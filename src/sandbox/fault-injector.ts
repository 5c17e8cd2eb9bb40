/**
 * Injected faults: a queue of faults, each hitting the next matching calls until its count
 * runs out or it is cleared.
 */
import type { CloudName } from '../providers/types';
import type { SandboxFault } from './types';

interface ActiveFault {
  readonly fault: SandboxFault;
  remaining: number;
}

/** Holds injected faults and hands out the one that hits a given call. */
export class FaultInjector {
  private active: ActiveFault[] = [];

  /** Adds a fault; faults added earlier hit first. */
  inject(fault: SandboxFault): void {
    const count = fault.count ?? Number.POSITIVE_INFINITY;
    if (!(count >= 1) || (Number.isFinite(count) && !Number.isInteger(count))) {
      throw new RangeError(`A fault's count must be a whole number of calls, at least 1; got ${String(fault.count)}.`);
    }
    this.active.push({ fault, remaining: count });
  }

  /** Removes every fault. */
  clear(): void {
    this.active = [];
  }

  /** The fault that hits this call, if any, spending one of its count. */
  take(cloud: CloudName, action: string): SandboxFault | null {
    const hit = this.active.find(
      ({ fault }) => (fault.cloud === undefined || fault.cloud === cloud) && (fault.action === undefined || fault.action === action),
    );
    if (!hit) return null;
    hit.remaining -= 1;
    if (hit.remaining <= 0) this.active = this.active.filter((candidate) => candidate !== hit);
    return hit.fault;
  }
}
