import { readFileSync } from 'node:fs';

/**
 * Data files are UTF-8. Decoding them leniently would turn bytes of another encoding (Latin-1, UTF-16)
 * into U+FFFD and train on the damage; these refuse instead, naming the file and the first bad line.
 */
export function readUtf8File(path: string): string {
  return decodeUtf8(readFileSync(path), path);
}

export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${source}:${firstBadLine(bytes)}: not valid UTF-8 (save the file as UTF-8)`);
  }
}

/** The 1-based line of the first invalid sequence; a newline byte is never inside a UTF-8 sequence. */
function firstBadLine(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return line;
}
