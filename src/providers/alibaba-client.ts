/**
 * Building the `@alicloud/pop-core` RPC client for DCDN from a configured account, and making
 * one rate-budgeted, checked, error-translated call through it. pop-core never looks at the
 * HTTP status, so this module does: a 503 whose JSON has no `Code` would otherwise look like
 * an empty success.
 */
import http from 'node:http';
import https from 'node:https';
import RPCClient from '@alicloud/pop-core';
import type { AlibabaAccount } from '../config';
import { translateAlibabaError } from './alibaba-errors';
import { ProviderError } from './errors';
import type { ProviderContext } from './provider-context';
import { quotaKey } from './rate-budget';

/** The public DCDN endpoint, used when the account has no override. */
export const DEFAULT_DCDN_ENDPOINT = 'https://dcdn.aliyuncs.com';

/** The DCDN API version taskwatch speaks. */
export const DCDN_API_VERSION = '2018-01-15';

/** The statusCode part of pop-core's verbose `entry`; its `url` holds the signed URL and is never read. */
interface VerboseEntry {
  readonly response?: { readonly statusCode?: number } | null;
}

interface VerboseRpcClient {
  request(action: string, params: object, options?: object): Promise<[unknown, VerboseEntry]>;
}

// pop-core's typings omit the constructor's second argument, `verbose`, which makes `request`
// resolve with `[body, entry]` so that the HTTP status can be checked.
const VerboseRPCClient = RPCClient as unknown as new (config: RPCClient.Config, verbose: boolean) => VerboseRpcClient;

/** A keep-alive agent for an account's DCDN endpoint, owned by the registry so it can be closed. */
export function createAlibabaAgent(endpoint: string | null): http.Agent {
  const secure = (endpoint ?? DEFAULT_DCDN_ENDPOINT).startsWith('https:');
  return secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
}

/** Construction details for an {@link AlibabaDcdnApi}. */
export interface AlibabaDcdnApiOptions {
  readonly account: AlibabaAccount;
  readonly agent: http.Agent;
  readonly context: ProviderContext;
}

/** DCDN calls under one account. */
export class AlibabaDcdnApi {
  private readonly client: VerboseRpcClient;

  constructor(private readonly options: AlibabaDcdnApiOptions) {
    const { account, agent, context } = options;
    this.client = new VerboseRPCClient(
      {
        accessKeyId: account.accessKeyId,
        accessKeySecret: account.accessKeySecret,
        endpoint: account.endpoint ?? DEFAULT_DCDN_ENDPOINT,
        apiVersion: DCDN_API_VERSION,
        opts: { timeout: context.timeoutMs, agent },
      },
      true,
    );
  }

  /**
   * Calls `action` after taking one token from the account's rate budget. Resolves with the
   * JSON body of an HTTP 200 answer that has a RequestId; rejects only with {@link ProviderError}.
   */
  async call(action: string, params: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const { account, context } = this.options;
    const api = `dcdn.${action}`;
    await context.rateBudget.acquire(quotaKey(api, null, account.accessKeyId), context.perSecond, signal);
    let body: unknown;
    let entry: VerboseEntry;
    try {
      [body, entry] = await abortable(this.client.request(action, { ...params }), signal);
    } catch (error) {
      throw translateAlibabaError(error, { api, timeoutMs: context.timeoutMs });
    }
    const httpStatus = entry?.response?.statusCode;
    const record = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : null;
    const requestId = record && typeof record['RequestId'] === 'string' ? record['RequestId'] : undefined;
    if (httpStatus !== undefined && httpStatus !== 200) {
      throw new ProviderError({
        code: httpStatus === 429 ? 'throttled' : httpStatus >= 500 ? 'unavailable' : 'internal',
        facts: { fact: 'http_status', cloud: 'alibaba', withRequestId: true },
        httpStatus,
        requestId,
        api,
      });
    }
    if (record === null || requestId === undefined) {
      throw new ProviderError({ code: 'unavailable', facts: { fact: 'unreadable_answer', cloud: 'alibaba', flaw: 'no_request_id' }, httpStatus, api });
    }
    return record;
  }
}

/** Rejects when `signal` aborts; pop-core itself cannot be cancelled, so its answer is dropped. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  const cancelled = (): ProviderError =>
    new ProviderError({ code: 'timeout', facts: { fact: 'cancelled', cloud: 'alibaba' } });
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
