import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { int8KernelBytes } from '../../../../shared/ann/int8-codes.ts';
import { INT8_KERNEL_PATH } from './int8-kernel.ts';

describe('the int8 scoring kernel', () => {
  it('is committed exactly as shared/ann assembles it', () => {
    // If this fails after a kernel change: run `npx tsx edge/adapters/workers/build/int8-kernel.ts`.
    expect(new Uint8Array(readFileSync(INT8_KERNEL_PATH))).toEqual(int8KernelBytes());
  });
});
