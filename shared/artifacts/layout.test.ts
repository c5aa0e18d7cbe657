import { describe, expect, it } from 'vitest';
import {
  artifactPath,
  currentPointerPath,
  formatCurrentPointer,
  manifestPath,
  parseCurrentPointer,
  versionDir,
} from './layout.ts';

describe('artifact layout', () => {
  it('places each file at <root>/<model>/<version>/<name> and the pointer at <root>/<model>/current', () => {
    expect(versionDir('artifacts/', 'tiny', '2025-01-01.1')).toBe('artifacts/tiny/2025-01-01.1');
    expect(artifactPath('/srv/artifacts', 'tiny', 'v1', 'model_int8')).toBe(
      '/srv/artifacts/tiny/v1/model.int8.onnx',
    );
    expect(artifactPath('/srv/artifacts', 'tiny', 'v1', 'index')).toBe('/srv/artifacts/tiny/v1/index.db');
    expect(manifestPath('a', 'tiny', 'v1')).toBe('a/tiny/v1/manifest.json');
    expect(currentPointerPath('a', 'tiny')).toBe('a/tiny/current');
  });

  it('refuses model names and versions that could leave the root or hide as temporary files', () => {
    for (const model of ['..', '../x', 'a/b', '.tmp-x', 'Tiny', ''])
      expect(() => versionDir('a', model, 'v1')).toThrow();
    for (const version of ['..', 'v1/..', '.tmp-v1-1-ab', 'v 1', ''])
      expect(() => versionDir('a', 'tiny', version)).toThrow();
  });
});

describe('current pointer', () => {
  it('round-trips through its text form', () => {
    const pointer = { version: 'v2', previous: 'v1', switched_at: '2025-01-01T00:00:00.000Z' };
    expect(parseCurrentPointer(formatCurrentPointer(pointer), 'current')).toEqual(pointer);
  });

  it('names the file when the pointer is broken', () => {
    expect(() => parseCurrentPointer('v2', 'a/tiny/current')).toThrow('a/tiny/current is not JSON');
    expect(() =>
      parseCurrentPointer(
        '{"version":"../x","previous":null,"switched_at":"2025-01-01T00:00:00Z"}',
        'a/tiny/current',
      ),
    ).toThrow(/invalid pointer a\/tiny\/current: versions are 1-64/);
    expect(() => parseCurrentPointer('{"version":"v1"}', 'p')).toThrow(/invalid pointer p/);
  });
});
