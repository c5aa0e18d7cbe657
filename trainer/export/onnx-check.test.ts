import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOnnxModel } from './onnx-check.ts';
import { DataType, encodeModel, makeInitializer, makeNode, makeTensorValueInfo } from './onnx-graph.ts';

/** y = x + bias over a dynamic batch; `addInput` lets a test break the graph. */
function addModel(addInput: string): Uint8Array {
  return encodeModel({
    name: 'add',
    inputs: [makeTensorValueInfo('x', DataType.float, ['batch', 3])],
    outputs: [makeTensorValueInfo('y', DataType.float, ['batch', 3])],
    initializers: [makeInitializer('bias', Float32Array.of(1, 2, 3), [3])],
    nodes: [makeNode('Add', ['x', addInput], ['y'])],
  });
}

describe('checkOnnxModel', () => {
  it('accepts a valid model given as bytes or as a path', async () => {
    await checkOnnxModel(addModel('bias'));
    const folder = await mkdtemp(join(tmpdir(), 'onnx-check-test-'));
    try {
      const path = join(folder, 'add.onnx');
      await writeFile(path, addModel('bias'));
      await checkOnnxModel(path);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("rejects an invalid model with the checker's message", async () => {
    await expect(checkOnnxModel(addModel('no_such_tensor'))).rejects.toThrow(
      /ONNX checker rejected[\s\S]*no_such_tensor/,
    );
  });

  it('refuses an initializer whose size does not match its dims', () => {
    expect(() => makeInitializer('w', Float32Array.of(1, 2, 3), [2, 2])).toThrow(
      /3 values for dims \[2, 2\]/,
    );
  });
});
