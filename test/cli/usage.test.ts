import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../cli/program.ts';
import { runCliInProcess } from './in-process.ts';

const PACKAGE_VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('the command line', () => {
  it('prints its version', async () => {
    const { code, stdout } = await runCliInProcess(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(PACKAGE_VERSION);
  });

  it("leaves a command's own --version flag to the command (eval and fewshot pick a published version)", async () => {
    const artifacts = mkdtempSync(join(tmpdir(), 'dml-edge-usage-'));
    try {
      for (const command of ['eval', 'fewshot']) {
        const { code, stdout, stderr } = await runCliInProcess([
          command,
          '--model',
          'nothing',
          '--version',
          '20990101-0000',
          '--artifacts',
          artifacts,
        ]);
        expect(stdout.trim(), command).not.toBe(PACKAGE_VERSION);
        expect(code, command).not.toBe(0);
        expect(stderr, command).toMatch(/no published model nothing/);
      }
    } finally {
      rmSync(artifacts, { recursive: true, force: true });
    }
  });

  it('lists every command with its description, and each command has its own help with its flags', async () => {
    const help = await runCliInProcess(['--help']);
    expect(help.code).toBe(0);
    const commands = createProgram().commands;
    expect(commands.map((c) => c.name())).toEqual(
      expect.arrayContaining(['start', 'serve', 'pipeline', 'train', 'export', 'publish', 'models', 'keys']),
    );
    for (const command of commands) {
      expect(help.stdout).toContain(command.name());
      const own = await runCliInProcess([command.name(), '--help']);
      expect(own.code, command.name()).toBe(0);
      expect(own.stdout).toContain(`Usage: dml-edge ${command.name()}`);
      for (const option of command.options) expect(own.stdout, command.name()).toContain(option.flags);
    }
  });

  it('answers an unknown command or flag with exit status 2 and a pointer to the help', async () => {
    const unknown = await runCliInProcess(['trian']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'trian'[\s\S]*Did you mean train\?/);
    const flag = await runCliInProcess(['pipeline', '--confg', 'x.json']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--confg'[\s\S]*--config/);
    const backend = await runCliInProcess(['train', '--backend', 'cuda']);
    expect(backend.code).toBe(2);
    expect(backend.stderr).toContain('Allowed choices are auto');
  });
});
