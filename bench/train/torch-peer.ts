import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import { MultiSimilarityLossConfigSchema } from '../../trainer/metric/losses/multi-similarity.ts';
import { TripletMarginLossConfigSchema } from '../../trainer/metric/losses/triplet-margin.ts';
import { REPO_ROOT } from '../paths.ts';

/**
 * The PyTorch CPU peer (torch_peer.py): the same networks, batch, loss and Adam as ours on one thread,
 * run as a child process of the benchmark, JSON in on stdin and out on stdout.
 */

/** Debian's python3-torch installs into the system Python; TORCH_PYTHON names another interpreter. */
export const TORCH_PYTHON = process.env.TORCH_PYTHON ?? '/usr/bin/python3';
export const HOW_TO_INSTALL_TORCH =
  'install PyTorch for the system Python (`apt-get install python3-torch`), or point TORCH_PYTHON at a ' +
  'Python with torch';
const SCRIPT = join(REPO_ROOT, 'bench', 'train', 'torch_peer.py');

/** PML's defaults for the losses the peer writes out, from our own schemas so both sides agree. */
export const TRIPLET_MARGIN = TripletMarginLossConfigSchema.parse({ name: 'triplet_margin' });
export const MULTI_SIMILARITY = MultiSimilarityLossConfigSchema.parse({ name: 'multi_similarity' });

export interface TimedJob {
  warmup: number;
  repeats: number;
  budgetSeconds: number;
  minRuns: number;
}

export interface PeerFeatureBatch {
  ids: number[];
  weights: number[];
  batch: number;
  length: number;
}

export type PeerJob =
  | ({
      model: 'mlp';
      batch: number;
      inputDim: number;
      hidden: number;
      outputDim: number;
      classes: number;
      margin: number;
      learningRate: number;
    } & TimedJob)
  | ({
      model: 'cnn';
      batch: number;
      classes: number;
      learningRate: number;
      multiSimilarity: { alpha: number; beta: number; base: number };
      shape: {
        height: number;
        width: number;
        convWidths: number[];
        kernelSize: number;
        batchNorm: boolean;
        dense: boolean;
        embeddingDim: number;
      };
    } & TimedJob)
  | ({
      model: 'text';
      buckets: number;
      embeddingDim: number;
      outputDim: number;
      scale: number;
      symmetric: boolean;
      learningRate: number;
      batches: { anchors: PeerFeatureBatch; positives: PeerFeatureBatch }[];
    } & TimedJob)
  | {
      model: 'loss';
      loss: 'triplet_margin' | 'multi_similarity' | 'multiple_negatives_ranking';
      embeddings: number[][];
      labels: number[];
      refEmbeddings?: number[][];
      margin?: number;
      alpha?: number;
      beta?: number;
      base?: number;
      scale?: number;
      symmetric?: boolean;
    };

const TimedResultSchema = z
  .object({
    model: z.enum(['mlp', 'cnn', 'text']),
    parameters: z.number().int().positive(),
    batch: z.number().int().positive(),
    samplesMs: z.array(z.number().nonnegative()).min(1),
    /** The last step's loss: finite when the peer trained. */
    loss: z.number(),
  })
  .strict();
const LossResultSchema = z.object({ model: z.literal('loss'), loss: z.number() }).strict();
const FailedJobSchema = z.object({ model: z.string(), error: z.string() }).strict();
export const PeerAnswerSchema = z
  .object({
    torch: z.string(),
    threads: z.number().int().positive(),
    results: z.array(z.union([TimedResultSchema, LossResultSchema, FailedJobSchema])),
  })
  .strict();
export type PeerAnswer = z.infer<typeof PeerAnswerSchema>;
export type PeerTimedResult = z.infer<typeof TimedResultSchema>;

/** One thread everywhere: torch's intra-op pool, OpenMP, MKL and the OpenBLAS Debian's torch links. */
const ONE_THREAD = { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };

/**
 * Runs the peer on `jobs` (in order, one process), or says why it could not: no such Python, no torch
 * in it (with how to install it), a crash, or an answer that does not parse. Nothing in the way of a
 * missing peer throws: the benchmark reports it and goes on.
 */
export function runTorchPeer(
  jobs: readonly PeerJob[],
  timeoutSeconds: number,
  python = TORCH_PYTHON,
): Promise<{ answer: PeerAnswer } | { missing: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, [SCRIPT], {
      env: { ...process.env, ...ONE_THREAD },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill(), timeoutSeconds * 1000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({
        missing: `PyTorch peer not run: ${python}: ${error.message}; ${HOW_TO_INSTALL_TORCH}`,
      });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (/No module named '?torch/.test(stderr)) {
        return resolve({ missing: `PyTorch is not installed for ${python}: ${HOW_TO_INSTALL_TORCH}` });
      }
      if (code !== 0) {
        const why = signal ? `was stopped (${signal}, limit ${timeoutSeconds} s)` : `exited with ${code}`;
        return resolve({ missing: `the PyTorch peer ${why}: ${lastLine(stderr)}` });
      }
      try {
        resolve({ answer: PeerAnswerSchema.parse(JSON.parse(stdout)) });
      } catch (error) {
        resolve({
          missing: `the PyTorch peer's answer did not parse: ${(error as Error).message.slice(0, 300)}`,
        });
      }
    });
    child.stdin.on('error', () => undefined); // a Python that dies at once closes the pipe; 'close' reports it
    child.stdin.end(JSON.stringify({ jobs }));
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '(no output)';
}

export function timedResult(answer: PeerAnswer, model: PeerTimedResult['model']): PeerTimedResult | string {
  const result = answer.results.find((r) => r.model === model);
  if (!result) return `the peer answered no ${model} result`;
  if ('error' in result) return result.error;
  if (!('samplesMs' in result)) return `the peer's ${model} answer has no timings`;
  return result;
}
