import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SQLITE_WASM_SOURCE } from './paths.ts';
import { dropCustomSections, isDebugInfo, readSections } from './wasm-sections.ts';

/** A module with a type section, a custom section `name` holding `payload`, and an empty function section. */
function moduleWith(name: string, payload: number[]): Uint8Array {
  const custom = [name.length, ...new TextEncoder().encode(name), ...payload];
  return Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 1, 0, 0, custom.length, ...custom, 3, 1, 0);
}

describe('dropping custom sections', () => {
  it('keeps every other section byte for byte', () => {
    const module = moduleWith('.debug_info', [1, 2, 3]);
    const stripped = dropCustomSections(module, isDebugInfo);
    expect(Array.from(stripped)).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 1, 0, 3, 1, 0]);
    expect(dropCustomSections(moduleWith('name', [9]), isDebugInfo)).toEqual(moduleWith('name', [9]));
  });

  it('strips the DWARF from the sqlite build, which still compiles', async () => {
    const original = new Uint8Array(readFileSync(SQLITE_WASM_SOURCE));
    const stripped = dropCustomSections(original, isDebugInfo);
    expect(readSections(stripped).filter((s) => s.name?.startsWith('.debug_'))).toEqual([]);
    const nonCustom = (module: Uint8Array) => readSections(module).filter((s) => s.id !== 0);
    const kept = nonCustom(stripped);
    expect(kept.map((s) => s.id)).toEqual(nonCustom(original).map((s) => s.id));
    nonCustom(original).forEach((section, i) => {
      expect(Buffer.from(kept[i].bytes).equals(section.bytes), `section ${section.id}`).toBe(true);
    });
    expect(stripped.length).toBeLessThan(original.length * 0.6);
    expect(WebAssembly.Module.exports(await WebAssembly.compile(stripped)).length).toBeGreaterThan(100);
  });

  it('refuses what is not a wasm binary or is cut short', () => {
    expect(() => readSections(Uint8Array.of(1, 2, 3))).toThrow('not a WebAssembly 1.0 binary');
    expect(() => readSections(moduleWith('x', [1, 2]).subarray(0, 14))).toThrow('runs past the end');
  });
});
