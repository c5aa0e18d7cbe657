import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A checkpoint is a folder: `state.json` (any JSON) plus `arrays.bin`, the named Float32Arrays back to
 * back, indexed in state.json. It is written under a temporary name and swapped in by rename, so a
 * crash leaves either the previous checkpoint or the new one, never a torn one.
 */
export interface Checkpoint<State> {
  state: State;
  arrays: Record<string, Float32Array>;
}

interface StoredState<State> {
  state: State;
  arrays: { name: string; offset: number; length: number }[];
}

export function saveCheckpoint<State>(dir: string, checkpoint: Checkpoint<State>): void {
  const staging = `${dir}.tmp`;
  const previous = `${dir}.old`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  let offset = 0;
  const index = Object.entries(checkpoint.arrays).map(([name, values]) => {
    const entry = { name, offset, length: values.length };
    offset += values.length;
    return entry;
  });
  const packed = new Float32Array(offset);
  index.forEach(({ name, offset: at }) => packed.set(checkpoint.arrays[name], at));
  writeFileSync(join(staging, 'arrays.bin'), new Uint8Array(packed.buffer), { flush: true });
  const stored: StoredState<State> = { state: checkpoint.state, arrays: index };
  writeFileSync(join(staging, 'state.json'), JSON.stringify(stored), { flush: true });
  rmSync(previous, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, previous);
  renameSync(staging, dir);
  rmSync(previous, { recursive: true, force: true });
}

/** Loads `dir`, or the previous copy a crash mid-swap left behind; undefined when neither exists. */
export function loadCheckpoint<State>(dir: string): Checkpoint<State> | undefined {
  const source = [dir, `${dir}.old`].find((d) => existsSync(join(d, 'state.json')));
  if (!source) return undefined;
  const stored = JSON.parse(readFileSync(join(source, 'state.json'), 'utf8')) as StoredState<State>;
  const bytes = readFileSync(join(source, 'arrays.bin'));
  const packed = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const arrays: Record<string, Float32Array> = {};
  for (const { name, offset, length } of stored.arrays) {
    if (offset + length > packed.length) throw new Error(`${source}/arrays.bin is truncated`);
    arrays[name] = packed.slice(offset, offset + length);
  }
  return { state: stored.state, arrays };
}
