/**
 * Building Tencent Cloud SDK clients from a configured account, and making one rate-budgeted,
 * error-translated call through them. Only the four products taskwatch uses are loaded, each
 * through its deep import: the package's root entry loads ~260 products and takes seconds.
 */
import http from 'node:http';
import https from 'node:https';
import { cdn } from 'tencentcloud-sdk-nodejs/tencentcloud/services/cdn';
import { dts } from 'tencentcloud-sdk-nodejs/tencentcloud/services/dts';
import { redis } from 'tencentcloud-sdk-nodejs/tencentcloud/services/redis';
import { tcss } from 'tencentcloud-sdk-nodejs/tencentcloud/services/tcss';
import type { ClientConfig } from 'tencentcloud-sdk-nodejs/tencentcloud/common/interface';
import type { TencentAccount } from '../config';
import { ProviderError } from './errors';
import type { ProviderContext } from './provider-context';
import { partsOfCloud, type ProviderParts } from './provider-factory';
import { quotaKey } from './rate-budget';
import { translateTencentError } from './tencent-errors';

/** The Tencent Cloud products taskwatch calls. */
export type TencentProduct = 'cdn' | 'dts' | 'redis' | 'tcss';

/** The one method of an SDK client we use; every product's `Client` has it. */
interface SdkClient {
  request(action: string, request: unknown, options?: { signal?: AbortSignal }): Promise<unknown>;
}

const CLIENT_FACTORIES: Readonly<Record<TencentProduct, (config: ClientConfig) => SdkClient>> = {
  cdn: (config) => new cdn.v20180606.Client(config),
  dts: (config) => new dts.v20180330.Client(config),
  redis: (config) => new redis.v20180412.Client(config),
  tcss: (config) => new tcss.v20201101.Client(config),
};

/** Where the SDK sends requests: a host (with port) and a scheme, as `httpProfile` wants them. */
export interface TencentEndpoint {
  /** Host and optional port, no scheme, e.g. `127.0.0.1:9000` or `cdn.tencentcloudapi.com`. */
  readonly endpoint: string;
  readonly protocol: 'http://' | 'https://';
}

/** Finance regions (`ap-shanghai-fsi`, `ap-shenzhen-fsi`) are served only by their own domain. */
const FINANCE_REGION = /^[a-z]+-[a-z]+-fsi$/;

/**
 * Splits an endpoint override such as `http://127.0.0.1:9000` into what the SDK wants; with no
 * override, the product's public endpoint over HTTPS, or for a finance region its regional
 * domain (e.g. `redis.ap-shanghai-fsi.tencentcloudapi.com`), as the API documents require.
 */
export function tencentEndpoint(product: TencentProduct, baseUrl: string | null, region: string | null = null): TencentEndpoint {
  if (baseUrl === null) {
    const domain = region !== null && FINANCE_REGION.test(region) ? `${product}.${region}.tencentcloudapi.com` : `${product}.tencentcloudapi.com`;
    return { endpoint: domain, protocol: 'https://' };
  }
  const url = new URL(baseUrl);
  return { endpoint: url.host, protocol: url.protocol === 'http:' ? 'http://' : 'https://' };
}

/**
 * A keep-alive agent for an account's endpoint. The SDK must always get one: without it, it
 * routes even loopback traffic through a lowercase `http_proxy` and closes every connection.
 */
export function createTencentAgent(baseUrl: string | null): http.Agent {
  const secure = baseUrl === null || baseUrl.startsWith('https:');
  return secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
}

/** Construction details for a {@link TencentApi}. */
export interface TencentApiOptions {
  readonly product: TencentProduct;
  readonly account: TencentAccount;
  /** Shared per account so connections are reused across products. */
  readonly agent: http.Agent;
  readonly context: ProviderContext;
}

/** The calls one product makes under one account, cached per region. */
export class TencentApi {
  private readonly clients = new Map<string, SdkClient>();

  constructor(private readonly options: TencentApiOptions) {}

  /**
   * Calls `action` in `region` (null for region-less products) after taking one token from the
   * rate budget. Resolves with the `Response` object; rejects only with {@link ProviderError}.
   */
  async call(action: string, params: Readonly<Record<string, unknown>>, region: string | null, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const { product, account, context } = this.options;
    const api = `${product}.${action}`;
    await context.rateBudget.acquire(quotaKey(api, region, account.secretId), context.perSecond, signal);
    let response: unknown;
    try {
      response = await this.client(region).request(action, params, signal ? { signal } : {});
    } catch (error) {
      throw translateTencentError(error, { api, timeoutMs: context.timeoutMs });
    }
    if (response === null || typeof response !== 'object') {
      throw new ProviderError({
        code: 'unavailable',
        facts: { fact: 'unreadable_answer', cloud: 'tencent', flaw: 'no_response_object' },
        api,
      });
    }
    return response as Record<string, unknown>;
  }

  private client(region: string | null): SdkClient {
    const key = region ?? '';
    const cached = this.clients.get(key);
    if (cached) return cached;
    const { product, account, agent, context } = this.options;
    const { endpoint, protocol } = tencentEndpoint(product, account.endpoint, region);
    const client = CLIENT_FACTORIES[product]({
      credential: { secretId: account.secretId, secretKey: account.secretKey },
      ...(region === null ? {} : { region }),
      profile: {
        httpProfile: {
          endpoint,
          protocol,
          // The SDK counts in seconds; fractions work because it multiplies by 1000.
          reqTimeout: context.timeoutMs / 1000,
          agent,
        },
      },
    });
    this.clients.set(key, client);
    return client;
  }
}

/** The client of `product` for a Tencent kind's provider parts (see `provider-factory.ts`). */
export function tencentApiOf(parts: ProviderParts, product: TencentProduct): TencentApi {
  const tencent = partsOfCloud(parts, 'tencent');
  return new TencentApi({ product, account: tencent.account, agent: tencent.agent, context: tencent.context });
}

/** Reads a string field of an API answer; anything else is null. */
export function stringField(response: Readonly<Record<string, unknown>>, name: string): string | null {
  const value = response[name];
  return typeof value === 'string' ? value : null;
}
