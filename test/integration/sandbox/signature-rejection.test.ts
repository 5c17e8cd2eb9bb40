/**
 * Raw HTTP against the sandbox, proving it cannot be silently accepting anything: each forged
 * or stale request is refused with the code the real cloud answers. Every rejection is paired
 * with a control request, signed the same way, that is accepted.
 */
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { SandboxCredential } from '../../../src/sandbox/types';
import { ALIBABA_DEMO, rawRequest, rpcCommonParameters, signedRpcQuery, signedTencentRequest, TENCENT_DEMO } from './sandbox-clients';

interface TencentReply {
  readonly Response: { readonly Error?: { readonly Code: string; readonly Message: string }; readonly RequestId: string; readonly [field: string]: unknown };
}

describe('cloud sandbox, signature verification over raw HTTP', () => {
  let sandbox: CloudSandbox;
  let redisTaskId: string;

  beforeAll(async () => {
    sandbox = await CloudSandbox.start({ rateLimits: false });
    redisTaskId = sandbox.addTask({ kind: 'redis' });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  async function sendTencent(request: { headers: Record<string, string>; body: string }): Promise<{ status: number; reply: TencentReply }> {
    const raw = await rawRequest(sandbox, { method: 'POST', path: '/', headers: request.headers, body: request.body });
    return { status: raw.status, reply: JSON.parse(raw.body) as TencentReply };
  }

  function redisQuery(overrides: { credential?: SandboxCredential; timestampSeconds?: number } = {}): { headers: Record<string, string>; body: string } {
    return signedTencentRequest(sandbox, {
      action: 'DescribeTaskInfo',
      version: '2018-04-12',
      region: 'ap-guangzhou',
      payload: { TaskId: Number(redisTaskId) },
      ...overrides,
    });
  }

  describe('Tencent TC3-HMAC-SHA256', () => {
    it('given a request signed by the SDK signer, then it is answered (the control)', async () => {
      const { status, reply } = await sendTencent(redisQuery());
      expect(status).toBe(200);
      expect(reply.Response.Error).toBeUndefined();
      expect(reply.Response['Status']).toBe('preparing');
    });

    it('given a known SecretId signed with the wrong key, then AuthFailure.SignatureFailure in HTTP 200', async () => {
      const { status, reply } = await sendTencent(redisQuery({ credential: { ...TENCENT_DEMO, secret: 'not-the-secret' } }));
      expect(status).toBe(200);
      expect(reply.Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
      expect(reply.Response.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('given an unknown SecretId, then AuthFailure.SecretIdNotFound, and the reply does not echo it', async () => {
      const stranger = { cloud: 'tencent' as const, id: 'AKIDstrangerSTRANGER0000000000', secret: 'whatever-secret' };
      const { reply } = await sendTencent(redisQuery({ credential: stranger }));
      expect(reply.Response.Error?.Code).toBe('AuthFailure.SecretIdNotFound');
      expect(JSON.stringify(reply)).not.toContain(stranger.id);
      expect(JSON.stringify(reply)).not.toContain(stranger.secret);
    });

    it('given a body tampered after signing, then AuthFailure.SignatureFailure', async () => {
      const signed = redisQuery();
      const { reply } = await sendTencent({ headers: signed.headers, body: signed.body.replace(redisTaskId, String(Number(redisTaskId) + 1)) });
      expect(reply.Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
    });

    it('given a signed header tampered after signing, then AuthFailure.SignatureFailure', async () => {
      const signed = redisQuery();
      const { reply } = await sendTencent({ headers: { ...signed.headers, 'Content-Type': 'text/plain' }, body: signed.body });
      expect(reply.Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
    });

    it('given a timestamp more than 300 s old, correctly signed, then AuthFailure.SignatureExpire', async () => {
      const stale = redisQuery({ timestampSeconds: Math.floor(Date.now() / 1000) - 301 - 5 });
      const { reply } = await sendTencent(stale);
      expect(reply.Response.Error?.Code).toBe('AuthFailure.SignatureExpire');
    });

    it('given a malformed or missing Authorization header, then AuthFailure.InvalidAuthorization', async () => {
      const signed = redisQuery();
      const malformed = await sendTencent({ headers: { ...signed.headers, Authorization: 'TC3-HMAC-SHA256 Credential=broken' }, body: signed.body });
      expect(malformed.reply.Response.Error?.Code).toBe('AuthFailure.InvalidAuthorization');
      const { Authorization: _omitted, ...unsigned } = signed.headers;
      const missing = await sendTencent({ headers: unsigned, body: signed.body });
      expect(missing.reply.Response.Error?.Code).toBe('AuthFailure.InvalidAuthorization');
    });

    it('given rejected requests, then they are recorded with the code answered', () => {
      const codes = sandbox.calls.filter((call) => call.cloud === 'tencent').map((call) => call.errorCode);
      expect(codes).toEqual(expect.arrayContaining(['AuthFailure.SignatureFailure', 'AuthFailure.SecretIdNotFound', 'AuthFailure.SignatureExpire', null]));
    });
  });

  describe('Alibaba RPC HMAC-SHA1 signature 1.0', () => {
    async function sendAlibaba(query: string): Promise<{ status: number; reply: Record<string, unknown> }> {
      const raw = await rawRequest(sandbox, { method: 'GET', path: `/?${query}` });
      expect(raw.contentType).toContain('application/json');
      return { status: raw.status, reply: JSON.parse(raw.body) as Record<string, unknown> };
    }

    it('given a request signed as pop-core signs, then it is answered (the control)', async () => {
      const { status, reply } = await sendAlibaba(signedRpcQuery({ ...rpcCommonParameters(), TaskId: '1' }));
      expect(status).toBe(200);
      expect(reply['TotalCount']).toBe(0);
    });

    it('given an unknown AccessKeyId, then 404 InvalidAccessKeyId.NotFound', async () => {
      const stranger = { cloud: 'alibaba' as const, id: 'LTAIstranger00000000', secret: 'whatever' };
      const { status, reply } = await sendAlibaba(signedRpcQuery({ ...rpcCommonParameters(stranger), TaskId: '1' }, stranger.secret));
      expect([status, reply['Code']]).toEqual([404, 'InvalidAccessKeyId.NotFound']);
      expect(reply).toEqual({ RequestId: expect.any(String), HostId: '127.0.0.1', Code: 'InvalidAccessKeyId.NotFound', Message: expect.any(String), Recommend: expect.any(String) });
    });

    it('given a known AccessKeyId signed with the wrong secret, then 400 SignatureDoesNotMatch without the string to sign', async () => {
      const { status, reply } = await sendAlibaba(signedRpcQuery({ ...rpcCommonParameters(), TaskId: '1' }, 'not-the-secret'));
      expect([status, reply['Code']]).toEqual([400, 'SignatureDoesNotMatch']);
      expect(JSON.stringify(reply)).not.toContain(ALIBABA_DEMO.id);
    });

    it('given a parameter tampered after signing, then 400 SignatureDoesNotMatch', async () => {
      const query = signedRpcQuery({ ...rpcCommonParameters(), TaskId: '1' });
      const { status, reply } = await sendAlibaba(query.replace('TaskId=1', 'TaskId=2'));
      expect([status, reply['Code']]).toEqual([400, 'SignatureDoesNotMatch']);
    });

    it('given a Timestamp more than 15 minutes old, correctly signed, then 400 InvalidTimeStamp.Expired', async () => {
      const stale = new Date(Date.now() - 16 * 60 * 1000);
      const { status, reply } = await sendAlibaba(signedRpcQuery({ ...rpcCommonParameters(ALIBABA_DEMO, stale), TaskId: '1' }));
      expect([status, reply['Code']]).toEqual([400, 'InvalidTimeStamp.Expired']);
    });

    it('given the same signed request twice, then the replay gets 400 SignatureNonceUsed', async () => {
      const query = signedRpcQuery({ ...rpcCommonParameters(ALIBABA_DEMO, new Date(), 'nonce-used-once'), TaskId: '1' });
      const first = await sendAlibaba(query);
      const replay = await sendAlibaba(query);
      expect(first.status).toBe(200);
      expect([replay.status, replay.reply['Code']]).toEqual([400, 'SignatureNonceUsed']);
    });

    it('given a forged copy with a fresh nonce rejected first, then the genuine request with that nonce still passes', async () => {
      const parameters = { ...rpcCommonParameters(ALIBABA_DEMO, new Date(), 'nonce-forged-first'), TaskId: '1' };
      const forged = await sendAlibaba(signedRpcQuery(parameters, 'not-the-secret'));
      const genuine = await sendAlibaba(signedRpcQuery(parameters));
      expect([forged.reply['Code'], genuine.status]).toEqual(['SignatureDoesNotMatch', 200]);
    });
  });

  it('given a request that is neither cloud, then 404 with an explanation', async () => {
    const raw = await rawRequest(sandbox, { method: 'GET', path: '/health' });
    expect(raw.status).toBe(404);
    expect(raw.body).toContain('Not a cloud API request');
  });
});
