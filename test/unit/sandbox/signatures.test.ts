import { computeRpcSignature, percentEncode } from '../../../src/sandbox/alibaba-signature';
import { computeTc3Signature } from '../../../src/sandbox/tencent-signature';

describe('sandbox signature algorithms', () => {
  it('given the documented Alibaba RPC example, then the documented signature', () => {
    const parameters = new Map([
      ['AccessKeyId', 'testid'],
      ['Action', 'DescribeRegions'],
      ['Format', 'XML'],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureNonce', '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf'],
      ['SignatureVersion', '1.0'],
      ['Timestamp', '2016-02-23T12:46:24Z'],
      ['Version', '2014-05-26'],
    ]);
    expect(computeRpcSignature('GET', parameters, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it("given reserved characters, then percent-encoding also escapes !'()* and keeps ~", () => {
    expect(percentEncode("a b!'()*~/:")).toBe('a%20b%21%27%28%29%2A~%2F%3A');
  });

  it('given what the Tencent SDK signs, then the same TC3 signature as its own signer', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- cross-checking against the vendor's signer
    const sdkSign: { sign3(input: Record<string, unknown>): string } = require('tencentcloud-sdk-nodejs/tencentcloud/common/sign').default;
    const payload = { Limit: 1, Filters: [{ Values: ['未命名'], Name: 'instance-name' }] };
    const authorization = sdkSign.sign3({
      method: 'POST',
      url: 'https://cvm.tencentcloudapi.com/',
      payload,
      timestamp: 1551113065,
      service: 'cvm',
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3Cozk1qA',
      multipart: false,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    const signature = computeTc3Signature(
      'Gu5t9xGARNpq86cd98joQYCN3Cozk1qA',
      { date: '2019-02-25', service: 'cvm', signedHeaders: ['content-type', 'host'] },
      '1551113065',
      { method: 'POST', path: '/', rawQuery: '', body: Buffer.from(JSON.stringify(payload)) },
      new Map([
        ['content-type', 'application/json; charset=utf-8'],
        ['host', 'cvm.tencentcloudapi.com'],
      ]),
    );
    expect(authorization).toBe(
      `TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`,
    );
  });
});
