import { describe, expect, it } from 'vitest';
import { COMMANDS, usage } from '../../cli/commands.ts';

describe('usage', () => {
  it('lists every command with its summary in one aligned column, whatever the longest name', () => {
    const lines = usage().split('\n');
    const starts = Object.entries(COMMANDS).map(([name, command]) => {
      const line = lines.find((l) => l.startsWith(`  ${name} `));
      expect(line, name).toBeDefined();
      expect(line!.trimEnd().endsWith(command.summary)).toBe(true);
      return line!.indexOf(command.summary);
    });
    expect(new Set(starts).size).toBe(1);
  });
});
