import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BatchingSchema } from '../../edge/limits.ts';
import { createMicroBatcher } from '../../edge/micro-batcher.ts';
import type { Embedder } from '../../edge/ports.ts';
import { createTextFeaturizer } from '../../shared/featurizer/index.ts';
import { initBackend } from '../../trainer/backend/index.ts';
import { embedBatch, initTextEncoder } from '../../trainer/encoder/text-encoder.ts';

/** A real (tfjs) text encoder behind the Embedder port; it pads each run to its longest text. */
function tfjsEmbedder(): Embedder {
  const featurizer = createTextFeaturizer({ buckets: 1024 });
  const weights = initTextEncoder(1024, { embeddingDim: 8, outputDim: 16 }, 7);
  return {
    dim: 16,
    async embed(texts) {
      const flat = embedBatch(weights, featurizer.featurizeBatch(texts));
      return texts.map((_, i) => flat.slice(i * 16, (i + 1) * 16));
    },
  };
}

/** Records the texts of every run and can hold runs until released. */
function recording(inner: Embedder) {
  const runs: string[][] = [];
  let gate: Promise<void> = Promise.resolve();
  return {
    runs,
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return release;
    },
    embedder: {
      dim: inner.dim,
      async embed(texts: readonly string[]) {
        runs.push([...texts]);
        await gate;
        return inner.embed(texts);
      },
    } satisfies Embedder,
  };
}

const texts = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix} text number ${i}`);

beforeAll(async () => {
  await initBackend('cpu');
});

afterEach(() => {
  vi.useRealTimers();
});

describe('createMicroBatcher', () => {
  it('coalesces concurrent calls into one run and gives each caller exactly its unbatched vectors', async () => {
    const inner = tfjsEmbedder();
    const recorder = recording(inner);
    const batcher = createMicroBatcher(recorder.embedder, { maxBatch: 256, maxWaitMs: 5 });
    const calls = Array.from({ length: 20 }, (_, i) =>
      texts(`caller ${i} with ${'many words '.repeat(i)}`, 1 + (i % 3)),
    );

    const batched = await Promise.all(calls.map((call) => batcher.embed(call)));

    expect(recorder.runs).toHaveLength(1);
    expect(recorder.runs[0]).toEqual(calls.flat());
    for (let i = 0; i < calls.length; i++) {
      const alone = await inner.embed(calls[i]);
      expect(batched[i].map((v) => Array.from(v))).toEqual(alone.map((v) => Array.from(v)));
    }
  });

  it('with maxWaitMs 0 (the default), runs the calls made together at once and a lone call without a wait', async () => {
    const recorder = recording(tfjsEmbedder());
    const batcher = createMicroBatcher(recorder.embedder, BatchingSchema.parse({}));
    await Promise.all([batcher.embed(texts('a', 2)), batcher.embed(texts('b', 1))]);
    expect(recorder.runs).toEqual([[...texts('a', 2), ...texts('b', 1)]]);
    // A lone call's run starts within the same check phase of the event loop: it waits on no timer.
    // (Timing the whole embed against a timer would race the model run itself on a loaded machine.)
    const release = recorder.hold();
    const lone = batcher.embed(texts('c', 1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorder.runs).toEqual([[...texts('a', 2), ...texts('b', 1)], texts('c', 1)]);
    release();
    expect(await lone).toHaveLength(1);
  });

  it('waits at most maxWaitMs for company before running', async () => {
    vi.useFakeTimers();
    const recorder = recording(tfjsEmbedder());
    const batcher = createMicroBatcher(recorder.embedder, { maxBatch: 8, maxWaitMs: 20 });

    const pending = batcher.embed(['lonely']);
    await vi.advanceTimersByTimeAsync(19);
    expect(recorder.runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(recorder.runs).toEqual([['lonely']]);
    expect(await pending).toHaveLength(1);
  });

  it('runs at once when maxBatch texts are queued, and never puts more than maxBatch in a run', async () => {
    vi.useFakeTimers();
    const recorder = recording(tfjsEmbedder());
    const batcher = createMicroBatcher(recorder.embedder, { maxBatch: 4, maxWaitMs: 1000 });

    const results = Promise.all([
      batcher.embed(texts('a', 3)),
      batcher.embed(texts('b', 1)),
      batcher.embed(texts('c', 2)),
    ]);
    await vi.advanceTimersByTimeAsync(0);
    // a+b fill the first run without waiting; c waits for the run to finish, then goes at once.
    expect(recorder.runs).toEqual([[...texts('a', 3), ...texts('b', 1)], texts('c', 2)]);
    expect((await results).map((r) => r.length)).toEqual([3, 1, 2]);
  });

  it('runs a call larger than maxBatch alone and unsplit', async () => {
    const recorder = recording(tfjsEmbedder());
    const batcher = createMicroBatcher(recorder.embedder, { maxBatch: 2, maxWaitMs: 1 });
    const result = await batcher.embed(texts('big', 5));
    expect(recorder.runs).toEqual([texts('big', 5)]);
    expect(result).toHaveLength(5);
  });

  it('never overlaps runs: calls arriving during a run share the next one', async () => {
    const recorder = recording(tfjsEmbedder());
    const batcher = createMicroBatcher(recorder.embedder, { maxBatch: 64, maxWaitMs: 1 });
    const release = recorder.hold();

    const first = batcher.embed(['first']);
    await vi.waitFor(() => expect(recorder.runs).toHaveLength(1));
    const later = [batcher.embed(['second']), batcher.embed(['third', 'fourth'])];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recorder.runs).toHaveLength(1);

    release();
    await Promise.all([first, ...later]);
    expect(recorder.runs).toEqual([['first'], ['second', 'third', 'fourth']]);
  });

  it("rejects every caller of a failed run with the run's error, and keeps serving", async () => {
    const inner = tfjsEmbedder();
    const failing: Embedder = {
      dim: inner.dim,
      embed: (batch) =>
        batch.includes('boom') ? Promise.reject(new Error('model run failed')) : inner.embed(batch),
    };
    const batcher = createMicroBatcher(failing, { maxBatch: 64, maxWaitMs: 5 });

    const outcomes = await Promise.allSettled([batcher.embed(['fine']), batcher.embed(['boom'])]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    for (const outcome of outcomes) {
      expect((outcome as PromiseRejectedResult).reason).toEqual(new Error('model run failed'));
    }
    expect(await batcher.embed(['fine again'])).toHaveLength(1);
  });

  it('rejects when the embedder returns the wrong number of vectors', async () => {
    const short: Embedder = { dim: 2, embed: async () => [new Float32Array(2)] };
    const batcher = createMicroBatcher(short, { maxBatch: 8, maxWaitMs: 1 });
    await expect(batcher.embed(['one', 'two'])).rejects.toThrow('embedder returned 1 vectors for 2 texts');
  });

  it('answers an empty call without a run', async () => {
    const recorder = recording(tfjsEmbedder());
    const batcher = createMicroBatcher(recorder.embedder, { maxBatch: 8, maxWaitMs: 1 });
    expect(await batcher.embed([])).toEqual([]);
    expect(recorder.runs).toHaveLength(0);
  });
});
