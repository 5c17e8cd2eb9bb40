/**
 * Every kind the sandbox serves, as its API files declare them (`TENCENT_KINDS` beside the
 * Tencent Cloud routes, `ALIBABA_KINDS` beside the Alibaba Cloud ones). Code that plants tasks
 * asks here how a kind is planted instead of keeping a table by kind name.
 */
import type { TaskKind } from '../providers/types';
import { ALIBABA_KINDS } from './alibaba-apis';
import { TENCENT_KINDS } from './tencent-apis';
import type { SandboxKind } from './types';

/** Every kind the sandbox serves. */
export const SANDBOX_KINDS: readonly SandboxKind[] = [...TENCENT_KINDS, ...ALIBABA_KINDS];

/** How the sandbox serves `kind`; a RangeError for a kind it does not serve. */
export function sandboxKind(kind: TaskKind): SandboxKind {
  const served = SANDBOX_KINDS.find((candidate) => candidate.kind === kind);
  if (!served) throw new RangeError(`Unknown task kind "${String(kind)}".`);
  return served;
}
