import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trampolineName } from '../sqlite-trampolines.ts';
import { TRAMPOLINES_DIR } from './paths.ts';
import { captureTrampolines } from './trampolines.ts';

describe("sqlite's callback trampolines", () => {
  it('are committed exactly as the pinned sqlite glue compiles them at start-up', async () => {
    const captured = await captureTrampolines();
    const committed = new Map(
      readdirSync(TRAMPOLINES_DIR)
        .filter((name) => name.endsWith('.wasm'))
        .map((name) => [
          name.slice(0, -'.wasm'.length),
          new Uint8Array(readFileSync(join(TRAMPOLINES_DIR, name))),
        ]),
    );
    // If this fails after an upgrade: run `npx tsx edge/adapters/workers/build/trampolines.ts` and
    // update the imports in sqlite-modules.ts.
    expect([...committed.keys()].sort()).toEqual([...captured.keys()].sort());
    for (const [name, bytes] of captured) expect(committed.get(name), name).toEqual(bytes);
  });

  it('are named by signature, as the Workers lookup names them', () => {
    const bytes = new Uint8Array(readFileSync(join(TRAMPOLINES_DIR, 'i_iiij.wasm')));
    expect(trampolineName(bytes)).toBe('i_iiij');
    // (func (param i32) (result f64)) and (func (param f32 i64))
    const type = (...section: number[]) =>
      Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, section.length, ...section);
    expect(trampolineName(type(1, 0x60, 1, 0x7f, 1, 0x7c))).toBe('d_i');
    expect(trampolineName(type(1, 0x60, 2, 0x7d, 0x7e, 0))).toBe('v_fj');
    expect(() => trampolineName(type(1, 0x60, 1, 0x7b, 0))).toThrow('value type 0x7b');
    expect(() => trampolineName(Uint8Array.of(1, 2, 3))).toThrow('no wasm header');
  });
});
