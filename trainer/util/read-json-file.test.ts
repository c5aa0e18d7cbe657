import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonFile } from './read-json-file.ts';

describe('readJsonFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dml-json-'));

  it('parses a valid file', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, '{"a": [1, 2]}');
    expect(readJsonFile(path)).toEqual({ a: [1, 2] });
  });

  it('names the file, line and column of a syntax error', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{\n  "a": 1,\n  }\n');
    expect(() => readJsonFile(path)).toThrow(`${path}:3:3: invalid JSON`);
  });

  it('names a missing file', () => {
    const path = join(dir, 'missing.json');
    expect(() => readJsonFile(path)).toThrow(`${path}: cannot read: ENOENT`);
  });
});
