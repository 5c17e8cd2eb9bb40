import { CUSTOM_ID_LIMIT, decodeCustomId, encodeCustomId } from '../../../src/chat/discord/custom-id';

describe('button custom IDs', () => {
  test('given a selection with region and account, then it round-trips', () => {
    const selection = { kind: 'redis' as const, ids: ['18215', '18216'], region: 'ap-guangzhou', account: 'prod' };
    const encoded = encodeCustomId('watch', selection)!;
    expect(encoded).toBe('tw1:w:redis:ap-guangzhou:prod:18215,18216');
    expect(decodeCustomId(encoded)).toEqual({ action: 'watch', selection });
  });

  test('given the default account, then it is left out and decodes as no account', () => {
    const encoded = encodeCustomId('refresh', { kind: 'cdn', ids: ['1'], account: 'default' })!;
    expect(decodeCustomId(encoded)).toEqual({ action: 'refresh', selection: { kind: 'cdn', ids: ['1'] } });
  });

  test('given TCSS, then no ID is encoded and it decodes as the latest task', () => {
    expect(decodeCustomId(encodeCustomId('unwatch', { kind: 'tcss', ids: [] })!)).toEqual({ action: 'unwatch', selection: { kind: 'tcss', ids: [] } });
  });

  test('given IDs that do not fit in 100 characters, then there is no custom ID', () => {
    const ids = Array.from({ length: 6 }, () => '1533031853231313311');
    expect(encodeCustomId('refresh', { kind: 'cdn', ids })).toBeNull();
    expect(CUSTOM_ID_LIMIT).toBe(100);
  });

  test.each([
    ['tw2:r:cdn:::1', 'unknown version'],
    ['tw1:x:cdn:::1', 'unknown action'],
    ['tw1:r:ftp:::1', 'unknown kind'],
    ['tw1:r:cdn:AP GZ::1', 'bad region'],
    ['tw1:r:cdn::a b:1', 'bad account'],
    ['tw1:r:cdn:::<@1>', 'bad ID'],
    ['tw1:r:redis:::abc', 'non-numeric Redis ID'],
    ['tw1:r:cdn:::', 'missing ID'],
    ['tw1:r:tcss:::1', 'ID for TCSS'],
    ['tw1:r:cdn::::1', 'extra field'],
  ])('given %j (%s), then it does not decode', (customId) => {
    expect(decodeCustomId(customId)).toBeNull();
  });
});
