/**
 * The real SDK clients and raw-HTTP helpers the sandbox tests drive it with. Nothing here
 * reimplements the sandbox: Tencent requests are signed by the SDK's own signer, Alibaba
 * requests by a transcription of pop-core's algorithm, checked against pop-core itself.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { SANDBOX_DEMO_CREDENTIALS, type SandboxCredential } from '../../../src/sandbox/types';

/* eslint-disable @typescript-eslint/no-require-imports -- the SDKs are loaded the way providers load them */
type TencentRequest = (request: Record<string, unknown>) => Promise<Record<string, unknown>>;
type TencentConstructor = new (config: { credential: { secretId: string; secretKey: string }; region?: string; profile: unknown }) => Record<string, TencentRequest>;

const cdnClient: TencentConstructor = require('tencentcloud-sdk-nodejs/tencentcloud/services/cdn').cdn.v20180606.Client;
const dtsClient: TencentConstructor = require('tencentcloud-sdk-nodejs/tencentcloud/services/dts').dts.v20180330.Client;
const redisClient: TencentConstructor = require('tencentcloud-sdk-nodejs/tencentcloud/services/redis').redis.v20180412.Client;
const tcssClient: TencentConstructor = require('tencentcloud-sdk-nodejs/tencentcloud/services/tcss').tcss.v20201101.Client;
const CommonClient: new (
  endpoint: string,
  version: string,
  config: { credential: { secretId: string; secretKey: string }; region?: string; profile: unknown },
) => { request: (action: string, params: Record<string, unknown>) => Promise<Record<string, unknown>> } =
  require('tencentcloud-sdk-nodejs/tencentcloud/common/common_client').CommonClient;
const tencentSign: {
  sign3(input: {
    method: string;
    url: string;
    payload: unknown;
    timestamp: number;
    service: string;
    secretId: string;
    secretKey: string;
    multipart: boolean;
    headers: Record<string, unknown>;
  }): string;
} = require('tencentcloud-sdk-nodejs/tencentcloud/common/sign').default;

/** The subset of pop-core's RPCClient the tests use. */
export interface PopCoreClient {
  request(action: string, params?: Record<string, unknown>, options?: Record<string, unknown>): Promise<Record<string, unknown>>;
}
const RPCClient: new (config: {
  accessKeyId: string;
  accessKeySecret: string;
  endpoint: string;
  apiVersion: string;
  opts?: { timeout?: number };
}) => PopCoreClient = require('@alicloud/pop-core').RPCClient;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The default Tencent and Alibaba demo credentials. */
export const TENCENT_DEMO = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'tencent') as SandboxCredential;
export const ALIBABA_DEMO = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'alibaba') as SandboxCredential;

/** The fields of a TencentCloudSDKHttpException the tests look at. */
export interface TencentSdkError {
  readonly code?: string;
  readonly httpCode?: number;
  readonly requestId?: string;
  readonly message: string;
}

/** The four Tencent product clients, pointed at a sandbox the way providers point them. */
export interface TencentClients {
  cdn: Record<string, TencentRequest>;
  dts: Record<string, TencentRequest>;
  redis: Record<string, TencentRequest>;
  tcss: Record<string, TencentRequest>;
  /** A CommonClient for any action and version. */
  common(version: string): { request: (action: string, params: Record<string, unknown>) => Promise<Record<string, unknown>> };
}

/** Builds real Tencent SDK clients against the sandbox. */
export function tencentClients(
  sandbox: CloudSandbox,
  options: { credential?: SandboxCredential; region?: string; reqTimeoutSeconds?: number } = {},
): TencentClients {
  const credentialUsed = options.credential ?? TENCENT_DEMO;
  const credential = { secretId: credentialUsed.id, secretKey: credentialUsed.secret };
  const endpoint = sandbox.url.replace(/^http:\/\//, '');
  // An agent of its own keeps the SDK from honouring a developer's http_proxy for loopback.
  const profile = () => ({ httpProfile: { endpoint, protocol: 'http://', agent: new http.Agent(), reqTimeout: options.reqTimeoutSeconds ?? 10 } });
  const region = options.region;
  return {
    cdn: new cdnClient({ credential, region, profile: profile() }),
    dts: new dtsClient({ credential, region, profile: profile() }),
    redis: new redisClient({ credential, region, profile: profile() }),
    tcss: new tcssClient({ credential, region, profile: profile() }),
    common: (version) => new CommonClient(endpoint, version, { credential, region, profile: profile() }),
  };
}

/** A real pop-core RPCClient for DCDN against the sandbox. */
export function dcdnClient(sandbox: CloudSandbox, options: { credential?: SandboxCredential; apiVersion?: string; timeoutMs?: number } = {}): PopCoreClient {
  const credential = options.credential ?? ALIBABA_DEMO;
  return new RPCClient({
    accessKeyId: credential.id,
    accessKeySecret: credential.secret,
    endpoint: sandbox.url,
    apiVersion: options.apiVersion ?? '2018-01-15',
    opts: { timeout: options.timeoutMs ?? 5000 },
  });
}

/** Runs a call that must fail and returns what it threw. */
export async function rejectionOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail, but it succeeded.');
}

/** A raw HTTP exchange's outcome. */
export interface RawReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Sends one raw HTTP request to the sandbox. */
export function rawRequest(sandbox: CloudSandbox, options: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const target = new URL(options.path, sandbox.url);
    const request = http.request(
      { host: target.hostname, port: target.port, method: options.method, path: `${target.pathname}${target.search}`, headers: options.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.setTimeout(10_000, () => request.destroy(new Error('raw request timed out')));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** A Tencent request as the SDK builds it: headers (signed by the SDK's own signer) and JSON body. */
export function signedTencentRequest(
  sandbox: CloudSandbox,
  options: { action: string; version: string; payload: Record<string, unknown>; region?: string; credential?: SandboxCredential; timestampSeconds?: number },
): { headers: Record<string, string>; body: string } {
  const credential = options.credential ?? TENCENT_DEMO;
  const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
  const url = `${sandbox.url}/`;
  const headers: Record<string, string> = {
    Host: new URL(url).host,
    'Content-Type': 'application/json',
    'X-TC-Action': options.action,
    'X-TC-Version': options.version,
    'X-TC-Timestamp': String(timestamp),
  };
  if (options.region) headers['X-TC-Region'] = options.region;
  headers['Authorization'] = tencentSign.sign3({
    method: 'POST',
    url,
    payload: options.payload,
    timestamp,
    service: new URL(url).hostname.split('.')[0] ?? '',
    secretId: credential.id,
    secretKey: credential.secret,
    multipart: false,
    headers,
  });
  return { headers, body: JSON.stringify(options.payload) };
}

function popEncode(value: string): string {
  return encodeURIComponent(value).replace(/!/g, '%21').replace(/'/g, '%27').replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\*/g, '%2A');
}

/** The common RPC parameters pop-core adds, for a raw signed Alibaba request. */
export function rpcCommonParameters(credential: SandboxCredential = ALIBABA_DEMO, timestamp: Date = new Date(), nonce: string = `${Date.now()}${Math.random()}`): Record<string, string> {
  return {
    Action: 'DescribeDcdnRefreshTaskById',
    Format: 'JSON',
    Timestamp: timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2018-01-15',
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: nonce,
    AccessKeyId: credential.id,
  };
}

/** Signs RPC parameters as pop-core does and returns the query string to send. */
export function signedRpcQuery(parameters: Record<string, string>, secret: string = ALIBABA_DEMO.secret): string {
  const pairs = Object.keys(parameters)
    .sort()
    .map((name) => `${popEncode(name)}=${popEncode(parameters[name] ?? '')}`);
  const canonical = pairs.join('&');
  const signature = createHmac('sha1', `${secret}&`).update(`GET&${popEncode('/')}&${popEncode(canonical)}`).digest('base64');
  return `${canonical}&Signature=${popEncode(signature)}`;
}
