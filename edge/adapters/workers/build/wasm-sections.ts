/**
 * Just enough of the WebAssembly binary format to drop custom sections: a module is the 8-byte header
 * (magic + version) followed by sections, each `id:u8 size:u32leb payload[size]`; a custom section
 * (id 0) starts its payload with a length-prefixed name. Custom sections never change what a module
 * does, so dropping them is safe; the sqlite build ships 2.2 MB of DWARF debug info in them.
 */

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const CUSTOM_SECTION = 0;

export interface WasmSection {
  id: number;
  /** Custom sections only. */
  name?: string;
  /** The whole section: id, size and payload. */
  bytes: Uint8Array;
}

export function readSections(module: Uint8Array): WasmSection[] {
  if (module.length < HEADER.length || HEADER.some((byte, i) => module[i] !== byte)) {
    throw new Error('not a WebAssembly 1.0 binary');
  }
  const sections: WasmSection[] = [];
  let offset = HEADER.length;
  while (offset < module.length) {
    const start = offset;
    const id = module[offset++];
    const size = readU32(module, offset);
    const end = size.next + size.value;
    if (end > module.length) throw new Error(`section ${id} at byte ${start} runs past the end`);
    let name: string | undefined;
    if (id === CUSTOM_SECTION) {
      const length = readU32(module, size.next);
      name = new TextDecoder().decode(module.subarray(length.next, length.next + length.value));
    }
    sections.push({ id, ...(name === undefined ? {} : { name }), bytes: module.subarray(start, end) });
    offset = end;
  }
  return sections;
}

/** A copy of `module` without the custom sections `drop` selects. */
export function dropCustomSections(
  module: Uint8Array,
  drop: (name: string) => boolean,
): Uint8Array<ArrayBuffer> {
  const kept = readSections(module).filter((s) => s.id !== CUSTOM_SECTION || !drop(s.name ?? ''));
  const out = new Uint8Array(HEADER.length + kept.reduce((sum, s) => sum + s.bytes.length, 0));
  out.set(HEADER);
  let offset = HEADER.length;
  for (const section of kept) {
    out.set(section.bytes, offset);
    offset += section.bytes.length;
  }
  return out;
}

/** DWARF sections, as emscripten's -g writes them. */
export const isDebugInfo = (name: string): boolean => name.startsWith('.debug_');

function readU32(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let next = offset;
  for (;;) {
    if (next >= bytes.length || shift > 28) throw new Error(`bad LEB128 at byte ${offset}`);
    const byte = bytes[next++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next };
    shift += 7;
  }
}
