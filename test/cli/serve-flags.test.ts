import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { type AccessFlags, accessServerOptions, addAccessOptions } from '../../cli/serve-flags.ts';

/** The flags as `serve` and `start` parse them, then the server options they give. */
function optionsFrom(args: string[], env: NodeJS.ProcessEnv = {}) {
  const command = addAccessOptions(
    new Command().exitOverride().configureOutput({ writeErr: () => undefined }),
  );
  command.parse(args, { from: 'user' });
  const { accessLog, metrics } = accessServerOptions(command.opts<AccessFlags>(), env);
  return { accessLog, metrics };
}

describe('the operations flags of serve and start', () => {
  it('log every request and serve /metrics openly by default', () => {
    expect(optionsFrom([])).toEqual({ accessLog: true, metrics: 'open' });
  });

  it('turn the access log off with --no-access-log or DML_EDGE_ACCESS_LOG=0', () => {
    expect(optionsFrom(['--no-access-log']).accessLog).toBe(false);
    expect(optionsFrom([], { DML_EDGE_ACCESS_LOG: '0' }).accessLog).toBe(false);
    expect(optionsFrom([], { DML_EDGE_ACCESS_LOG: 'false' }).accessLog).toBe(false);
    expect(optionsFrom([], { DML_EDGE_ACCESS_LOG: '1' }).accessLog).toBe(true);
  });

  it('put /metrics behind a read key or turn it off with --metrics or DML_EDGE_METRICS (the flag wins)', () => {
    expect(optionsFrom(['--metrics', 'key']).metrics).toBe('key');
    expect(optionsFrom([], { DML_EDGE_METRICS: 'off' }).metrics).toBe('off');
    expect(optionsFrom(['--metrics', 'open'], { DML_EDGE_METRICS: 'off' }).metrics).toBe('open');
    expect(() => optionsFrom(['--metrics', 'public'])).toThrow(/Allowed choices are open, key, off/);
    expect(() => optionsFrom([], { DML_EDGE_METRICS: 'public' })).toThrow(
      "DML_EDGE_METRICS must be open, key or off; got 'public'",
    );
  });
});
