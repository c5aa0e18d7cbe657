import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileScanKernel } from './build.ts';
import { SCAN_WASM } from './load-node.ts';

describe('the exact-scan kernel', () => {
  it('is committed exactly as its source compiles', async () => {
    // If this fails after a change to assembly/scan.ts: run `npm run build:wasm-scan`.
    expect(new Uint8Array(readFileSync(SCAN_WASM))).toEqual(await compileScanKernel());
  });
});
