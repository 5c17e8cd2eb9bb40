import { beijingTimeToIso, toBeijingTime, utcTimeToIso } from '../../../src/providers/vendor-time';

describe('beijingTimeToIso', () => {
  it('given the CDN example time 2018-07-30 18:10:53, then it is 10:10:53 UTC the same day', () => {
    expect(beijingTimeToIso('2018-07-30 18:10:53')).toBe('2018-07-30T10:10:53.000Z');
  });

  it('given a Beijing time before 08:00, then the UTC date is the previous day', () => {
    expect(beijingTimeToIso('2018-11-01 07:25:14')).toBe('2018-10-31T23:25:14.000Z');
  });

  it('given a Beijing time just after new year, then UTC is still the old year', () => {
    expect(beijingTimeToIso('2024-01-01 00:00:00')).toBe('2023-12-31T16:00:00.000Z');
  });

  it.each(['', '2018-07-30', '2018-02-30 10:00:00', '2018-07-30 25:00:00', 'yesterday', '2018-07-30T18:10:53Z'])(
    'given the malformed or impossible time "%s", then it is null',
    (text) => {
      expect(beijingTimeToIso(text)).toBeNull();
    },
  );

  it('given null or undefined, then it is null', () => {
    expect(beijingTimeToIso(null)).toBeNull();
    expect(beijingTimeToIso(undefined)).toBeNull();
  });
});

describe('toBeijingTime', () => {
  it('given 16:00 UTC on new year\'s eve, then it formats as midnight Beijing time', () => {
    expect(toBeijingTime(new Date('2023-12-31T16:00:00.000Z'))).toBe('2024-01-01 00:00:00');
  });

  it('given any instant, then converting there and back is the identity at second precision', () => {
    const instant = new Date('2026-11-23T12:34:56.000Z');
    expect(beijingTimeToIso(toBeijingTime(instant))).toBe(instant.toISOString());
  });
});

describe('utcTimeToIso', () => {
  it('given the DCDN example 2021-05-10T08:54:23Z, then it is the same instant in ISO form', () => {
    expect(utcTimeToIso('2021-05-10T08:54:23Z')).toBe('2021-05-10T08:54:23.000Z');
  });

  it('given garbage or nothing, then it is null', () => {
    expect(utcTimeToIso('not a time')).toBeNull();
    expect(utcTimeToIso('')).toBeNull();
    expect(utcTimeToIso(undefined)).toBeNull();
  });
});
