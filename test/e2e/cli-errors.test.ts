import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/dml-edge.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dml-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real command line; resolves with its exit code and output (never rejects). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the command line on bad input', () => {
  it('names the file, line and column of a config that is not JSON', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{\n  "name": "x",\n  }\n');
    const { code, stderr } = await cli(['train', '--config', path, '--runs', dir]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${path}:3:3: invalid JSON`);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('lists the tasks when a config names an unknown one', async () => {
    const path = join(dir, 'task.json');
    writeFileSync(path, JSON.stringify({ task: 'clustering', name: 'x' }));
    const { code, stderr } = await cli(['pipeline', '--config', path, '--runs', dir]);
    expect(code).toBe(1);
    expect(stderr).toContain('task: must be one of text-similarity, image-similarity, recommendation');
  }, 60_000);

  it('--strict fails a recommendation run on bad CSV rows, naming each file and line', async () => {
    const { code, stderr } = await cli([
      'train',
      '--config',
      'test/fixtures/recs/tiny.json',
      '--strict',
      '--runs',
      dir,
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/bad rows \(strict mode\)/);
    expect(stderr).toMatch(/ratings\.csv:\d+: rating is not a number/);
    expect(stderr).toMatch(/movies\.csv:\d+: an empty title/);
  }, 120_000);

  it('refuses --strict for a config without CSV files, and an unknown upload target before any work', async () => {
    const strict = await cli(['train', '--config', 'configs/wordnet-text.json', '--strict', '--runs', dir]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('--strict applies to recommendation configs');
    const target = await cli(['publish', '--run', 'none', '--target', 's3', '--runs', dir]);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain(
      "option '--target <target>' argument 's3' is invalid. Allowed choices are r2.",
    );
  }, 60_000);
});
