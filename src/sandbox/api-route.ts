/**
 * The shape every sandboxed API shares: a vendor action at one version, answered by a pure
 * function of the planted tasks, the caller and the clock.
 */
import type { CloudName } from '../providers/types';
import type { TaskStore } from './task-store';

/** What an API handler sees of one verified call. */
export interface ApiCallContext {
  /** The verified SecretId / AccessKeyId. */
  readonly credentialId: string;
  /** Tencent `X-TC-Region` or Alibaba `RegionId`, when sent. */
  readonly region: string | null;
  /** Tencent: the JSON body; Alibaba: the query parameters minus the common ones. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Sandbox clock time (epoch ms), which drives task lifecycles. */
  readonly now: number;
  readonly tasks: TaskStore;
}

/** One action of one cloud. */
export interface ApiRoute {
  readonly cloud: CloudName;
  readonly action: string;
  readonly version: string;
  /** Returns the response fields (without RequestId) or throws a SandboxApiError. */
  readonly handle: (context: ApiCallContext) => Record<string, unknown>;
}

/**
 * The route of `action` at `version`, or why there is none: each cloud answers an unknown
 * action and a known action at an unknown version with its own documented error.
 */
export function findRoute(routes: readonly ApiRoute[], action: string, version: string): ApiRoute | 'unknown_action' | 'unknown_version' {
  const candidates = routes.filter((route) => route.action === action);
  if (candidates.length === 0) return 'unknown_action';
  return candidates.find((candidate) => candidate.version === version) ?? 'unknown_version';
}
