import { beforeAll } from 'vitest';
import { initBackend } from '../../backend/index.ts';

/** Every metric test runs on the wasm backend, the one training uses on machines without tfjs-node. */
export function useWasmBackend(): void {
  beforeAll(async () => {
    await initBackend('wasm');
  });
}
