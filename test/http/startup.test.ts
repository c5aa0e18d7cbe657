import { open, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeModelRegistry } from '../../edge/adapters/node/model-registry.ts';
import { startNodeServer } from '../../edge/adapters/node/server.ts';
import { openSqliteVecIndex } from '../../edge/adapters/node/sqlite-vec-index.ts';
import { createApp } from '../../edge/app.ts';
import type { Logger } from '../../edge/logger.ts';
import { ErrorResponseSchema } from '../../edge/schemas.ts';
import { artifactPath, currentPointerPath } from '../../shared/artifacts/layout.ts';
import { type PublishedModel, publishTinyModel, temporaryDir } from './published-model.ts';

let artifacts: Awaited<ReturnType<typeof temporaryDir>>;
let published: PublishedModel;

beforeAll(async () => {
  artifacts = await temporaryDir('dml-edge-startup-');
  published = await publishTinyModel(artifacts.path, {
    name: 'tiny',
    version: 'v1',
    dim: 8,
    seed: 3,
    collection: { name: 'notes', items: [{ id: 'n1', text: 'a short note' }] },
  });
});

afterAll(async () => {
  await published?.embedder.release();
  await artifacts?.remove();
});

/** Flips one byte of a file in place, keeping its size, as silent corruption would. */
async function flipByte(path: string, offset: number): Promise<() => Promise<void>> {
  const file = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, offset);
    const original = byte[0];
    await file.write(Buffer.of(original ^ 0xff), 0, 1, offset);
    return async () => {
      const restore = await open(path, 'r+');
      await restore.write(Buffer.of(original), 0, 1, offset);
      await restore.close();
    };
  } finally {
    await file.close();
  }
}

describe('starting the Node server', () => {
  it('refuses to start when a served file does not match its manifest, naming the file', async () => {
    const served = artifactPath(artifacts.path, 'tiny', 'v1', 'model_int8');
    const restore = await flipByte(served, 100);
    try {
      await expect(startNodeServer({ port: 0, artifactsDir: artifacts.path })).rejects.toThrow(
        `refusing to serve ${artifacts.path}/tiny/v1: ${served} has sha256`,
      );
    } finally {
      await restore();
    }
  });

  it('refuses to start when the index does not match its manifest', async () => {
    const index = artifactPath(artifacts.path, 'tiny', 'v1', 'index');
    const restore = await flipByte(index, 2000);
    try {
      await expect(startNodeServer({ port: 0, artifactsDir: artifacts.path })).rejects.toThrow(
        /index\.db has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}/,
      );
    } finally {
      await restore();
    }
  });

  it('refuses to start with no published model, or a default model that is not loaded', async () => {
    const empty = await temporaryDir('dml-edge-empty-');
    try {
      await expect(startNodeServer({ port: 0, artifactsDir: empty.path })).rejects.toThrow(
        `no published model with a current version in ${empty.path}`,
      );
    } finally {
      await empty.remove();
    }
    await expect(
      startNodeServer({ port: 0, artifactsDir: artifacts.path, defaultModel: 'missing' }),
    ).rejects.toThrow('the default model "missing" is not among the loaded models (tiny)');
  });

  it('refuses to start when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startNodeServer({ port, artifactsDir: artifacts.path })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('serves again once the files are intact, and rejects a broken current pointer', async () => {
    const server = await startNodeServer({ port: 0, artifactsDir: artifacts.path });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
    const pointer = currentPointerPath(artifacts.path, 'tiny');
    const original = await readFile(pointer, 'utf8');
    await writeFile(pointer, '{"version": "../../etc"}');
    try {
      await expect(startNodeServer({ port: 0, artifactsDir: artifacts.path })).rejects.toThrow(
        /invalid pointer/,
      );
    } finally {
      await writeFile(pointer, original);
    }
  });
});

describe('an internal fault', () => {
  it('answers 500 with a bare message and logs the details with the request id', async () => {
    const registry = await loadNodeModelRegistry({ artifactsDir: artifacts.path });
    const index = openSqliteVecIndex(registry.indexPaths);
    const logged: { message: string; fields: Record<string, unknown> }[] = [];
    const logger: Logger = {
      error: (message, fields) => logged.push({ message, fields }),
      info: () => undefined,
    };
    const app = createApp({ registry, index, logger });
    // A released ONNX session cannot run: a real fault inside the model, not the client's doing.
    await registry.close();
    try {
      const response = await app.request('/v1/embed', {
        method: 'POST',
        body: JSON.stringify({ inputs: ['hello'] }),
        headers: { 'X-Request-Id': 'fault-1' },
      });
      expect(response.status).toBe(500);
      expect(ErrorResponseSchema.parse(await response.json()).error).toEqual({
        code: 'internal',
        message: 'internal error; see the server log',
      });
      expect(logged).toHaveLength(1);
      expect(logged[0].fields).toMatchObject({ requestId: 'fault-1', method: 'POST', path: '/v1/embed' });
      expect(logged[0].fields.error).toMatch(/cannot run inference/);

      const health = await app.request('/healthz');
      expect(health.status).toBe(200);
    } finally {
      index.close();
    }
  });
});
