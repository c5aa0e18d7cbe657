/**
 * sqlite's glue wraps each JS callback it hands to C in a tiny generated wasm module (`jsFuncToWasm`):
 * one function type, one import "e"."f", one export "f". The bytes depend only on the signature, so a
 * trampoline is named after it, in sqlite's letters: result, '_', parameters (`i_iij` takes two i32 and
 * an i64 and returns an i32; `v` is no result). The precompiled copies live in sqlite/trampolines/.
 */

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const TYPE_SECTION = 0x01;
const FUNCTION_TYPE = 0x60;
const LETTERS: Record<number, string> = { 127: 'i', 126: 'j', 125: 'f', 124: 'd' };

export function trampolineName(bytes: Uint8Array): string {
  const fail = (why: string): never => {
    throw new Error(`not one of sqlite's callback trampolines (${why})`);
  };
  if (bytes.length < 13 || HEADER.some((byte, i) => bytes[i] !== byte)) fail('no wasm header');
  // Type section: id, size, count = 1, 0x60, params (count + types), results (count + types).
  // The glue writes every count as one LEB128 byte: a signature has far fewer than 128 parameters.
  if (bytes[8] !== TYPE_SECTION || bytes[10] !== 1 || bytes[11] !== FUNCTION_TYPE) fail('no single type');
  let offset = 12;
  const readTypes = (): string => {
    const count = bytes[offset];
    const codes = bytes.subarray(offset + 1, offset + 1 + count);
    offset += 1 + count;
    return Array.from(codes, (code) => LETTERS[code] ?? fail(`value type 0x${code.toString(16)}`)).join('');
  };
  const params = readTypes();
  const result = readTypes();
  if (result.length > 1) fail('more than one result');
  return `${result || 'v'}_${params}`;
}
