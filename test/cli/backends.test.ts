import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BackendStatusSchema } from '../../trainer/backend/availability.ts';
import { initBackend } from '../../trainer/backend/index.ts';
import { probeWebGpu, releaseWebGpu } from '../../trainer/backend/webgpu.ts';
import { runCliInProcess } from './in-process.ts';

afterAll(releaseWebGpu);

describe('dml-edge backends', () => {
  it('--json lists every backend, starts what it can, and marks the one auto takes', async () => {
    const { code, stdout } = await runCliInProcess(['backends', '--json']);
    expect(code).toBe(0);
    const statuses = z.array(BackendStatusSchema).parse(JSON.parse(stdout));
    expect(statuses.map((s) => s.backend)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    for (const status of statuses) if (!status.available) expect(status.note, status.backend).toBeTruthy();
    const byName = Object.fromEntries(statuses.map((s) => [s.backend, s]));
    expect(byName.wasm.available && byName.cpu.available).toBe(true);
    // The probe's own answer: the command must report an adapter exactly when Dawn finds one.
    const adapter = await probeWebGpu().then(
      (probe) => probe.adapter,
      () => undefined,
    );
    expect(byName.webgpu.adapter).toEqual(adapter);
    expect(byName.webgpu.available).toBe(adapter !== undefined);
    // auto takes the first available of its order; a software adapter never.
    const auto = statuses.filter((s) => s.usedByAuto);
    expect(auto).toHaveLength(1);
    const expected = statuses.find((s) => s.available && s.backend !== 'cpu' && s.adapter?.software !== true);
    expect(auto[0].backend).toBe(expected?.backend);
    // And initBackend('auto') takes that one.
    const chosen = await initBackend('auto');
    expect(chosen.name).toBe(
      { 'tensorflow-gpu': 'tensorflow', webgpu: 'webgpu' }[auto[0].backend as string] ?? auto[0].backend,
    );
  });

  it('prints a table without --json', async () => {
    const { code, stdout } = await runCliInProcess(['backends']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^backend +here +package\n/);
    expect(stdout).toMatch(/^wasm +(auto|yes) +@tensorflow\/tfjs-backend-wasm$/m);
  });
});
