import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileTrainingKernels } from './build.ts';
import { TRAINING_WASM } from './load-node.ts';

describe('the training kernels', () => {
  it('is committed exactly as its source compiles', async () => {
    // If this fails after a change to assembly/training.ts: run `npm run build:wasm-train`.
    expect(new Uint8Array(readFileSync(TRAINING_WASM))).toEqual(await compileTrainingKernels());
  });

  it('has no data segment and no start function: it writes nothing into the memory it imports but its outputs', async () => {
    const binary = await compileTrainingKernels();
    const module = new WebAssembly.Module(new Uint8Array(binary));
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const ids = sectionIds(binary);
    expect(ids).toContain(10); // the code section: the walk below reads real sections
    expect(ids).not.toContain(8); // start
    expect(ids).not.toContain(11); // data
  });
});

/** The ids of a wasm binary's sections (after the 8-byte header: id, LEB128 size, contents). */
function sectionIds(binary: Uint8Array): number[] {
  const ids: number[] = [];
  for (let at = 8; at < binary.length; ) {
    ids.push(binary[at++]);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = binary[at++];
      size |= (byte & 127) << shift;
      if (byte < 128) break;
    }
    at += size;
  }
  return ids;
}
