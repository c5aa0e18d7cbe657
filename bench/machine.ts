import { cpus, platform, release, totalmem } from 'node:os';
import type { Machine } from './results.ts';

/** What the figures were measured on, printed above every table. */
export function machineInfo(): Machine {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() || 'unknown',
    cores: cores.length,
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${platform()} ${release()} ${process.arch}`,
  };
}
