import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from '../../shared/image/base64.ts';
import { base64ToBytes } from './base64.ts';

describe('base64', () => {
  it('round-trips bytes, with or without a data: URL prefix and line breaks', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256);
    const text = bytesToBase64(bytes);
    expect(base64ToBytes(text)).toEqual(bytes);
    expect(base64ToBytes(`data:image/png;base64,${text.slice(0, 40)}\n${text.slice(40)}`)).toEqual(bytes);
  });

  it('refuses text outside the base64 alphabet', () => {
    expect(() => base64ToBytes('not base64!')).toThrow(/not valid base64/);
  });
});
