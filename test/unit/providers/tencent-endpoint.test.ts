import { tencentEndpoint } from '../../../src/providers/tencent-client';

describe('Tencent Cloud endpoints', () => {
  test('given no override, then a product is called on its public domain over HTTPS, whatever the ordinary region', () => {
    expect(tencentEndpoint('redis', null, 'ap-guangzhou')).toEqual({ endpoint: 'redis.tencentcloudapi.com', protocol: 'https://' });
    expect(tencentEndpoint('cdn', null)).toEqual({ endpoint: 'cdn.tencentcloudapi.com', protocol: 'https://' });
  });

  test('given a finance region, then the product is called on that region\'s own domain, as the API documents require', () => {
    expect(tencentEndpoint('redis', null, 'ap-shanghai-fsi')).toEqual({ endpoint: 'redis.ap-shanghai-fsi.tencentcloudapi.com', protocol: 'https://' });
    expect(tencentEndpoint('dts', null, 'ap-shenzhen-fsi')).toEqual({ endpoint: 'dts.ap-shenzhen-fsi.tencentcloudapi.com', protocol: 'https://' });
  });

  test('given an endpoint override such as the sandbox, then it wins for every region, with its own scheme', () => {
    expect(tencentEndpoint('redis', 'http://127.0.0.1:9000', 'ap-shanghai-fsi')).toEqual({ endpoint: '127.0.0.1:9000', protocol: 'http://' });
    expect(tencentEndpoint('dts', 'https://gateway.internal:8443/', 'ap-guangzhou')).toEqual({ endpoint: 'gateway.internal:8443', protocol: 'https://' });
  });
});
