import { describe, expect, it } from 'vitest';
import { addressBucket } from './address-bucket.ts';

describe('addressBucket', () => {
  it('keeps IPv4 addresses, also when written IPv4-mapped', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('puts every address of an IPv6 /64 in one bucket, whatever the spelling', () => {
    const bucket = addressBucket('2001:db8:1:2::1');
    expect(bucket).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:0DB8:0001:0002:ffff:1:2:3')).toBe(bucket);
    expect(addressBucket('[2001:db8:1:2::99]')).toBe(bucket);
    expect(addressBucket('2001:db8:1:3::1')).not.toBe(bucket);
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
  });

  it('puts anything that is not an address in one bucket', () => {
    for (const text of [undefined, '', 'localhost', 'dead', '1.2.3.4.5', '::g', "1' OR 1=1", '😀']) {
      expect(addressBucket(text)).toBe('unknown');
    }
  });
});
