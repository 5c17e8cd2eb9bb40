/**
 * How a kind's provider is built for one account. Each provider file exports a
 * {@link ProviderFactory} next to its descriptor, and `kinds.ts` lists them, so the registry
 * builds any kind without naming it.
 */
import type http from 'node:http';
import type { AlibabaAccount, TencentAccount } from '../config';
import type { ProviderContext } from './provider-context';
import type { TaskProvider } from './types';

/** What the registry hands a factory: the account of the kind's cloud, its shared agent and the provider context. */
export type ProviderParts =
  | { readonly cloud: 'tencent'; readonly account: TencentAccount; readonly agent: http.Agent; readonly context: ProviderContext }
  | { readonly cloud: 'alibaba'; readonly account: AlibabaAccount; readonly agent: http.Agent; readonly context: ProviderContext };

/** Builds a kind's provider for one account; the registry calls it once per kind and account. */
export type ProviderFactory = (parts: ProviderParts) => TaskProvider;

/** The parts of a kind of `cloud`; a registry that handed another cloud's account is a bug, said plainly. */
export function partsOfCloud<C extends ProviderParts['cloud']>(parts: ProviderParts, cloud: C): Extract<ProviderParts, { cloud: C }> {
  if (parts.cloud !== cloud) throw new Error(`A ${cloud} kind was given a ${parts.cloud} account.`);
  return parts as Extract<ProviderParts, { cloud: C }>;
}
