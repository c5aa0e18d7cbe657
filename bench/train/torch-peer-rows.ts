import type { PendingTarget, Row } from '../results.ts';
import { rateRow, target, timingRow, valueRow } from '../rows.ts';
import { summarize } from '../stats.ts';
import { cnnPeerCase, mlpPeerCase, type PeerCase, textPeerCase } from './peer-jobs.ts';
import { type PeerTimedResult, runTorchPeer, type TimedJob, timedResult } from './torch-peer.ts';

/** Our wasm step a peer figure is compared with: its batch and the step times measured so far. */
export interface OurSteps {
  batch: number;
  samplesMs: number[];
}

export type PeerModel = PeerTimedResult['model'];

/** Times our step of `model` again (a fresh process): its step times, or undefined when that failed. */
export type RemeasureOurs = (model: PeerModel) => Promise<number[] | undefined>;

/**
 * Ours and the peer take turns, this many times each (ours first, measured by the caller): a machine
 * whose speed drifts during a round slows both sides alike, instead of whichever ran in the slow stretch.
 */
export const PEER_TURNS = 3;

interface Compared {
  model: PeerModel;
  figure: string;
  /** The target on ours / PyTorch samples per second, where it sets one. */
  atLeast?: number;
}

const COMPARED: Compared[] = [
  { model: 'cnn', figure: 'CNN (default image model, batch 128)', atLeast: 0.5 },
  { model: 'mlp', figure: 'MLP 784-256-64 (batch 128)', atLeast: 0.25 },
  { model: 'text', figure: 'text encoder (default config, 256 pairs)' },
];

/** CNN steps of PyTorch take a few hundred ms at most: the whole peer stays well inside this. */
const PEER_SECONDS = 240;
const RATIO_GROUP = 'ours on wasm over PyTorch on one CPU thread (ratio of samples per second)';

const targetText = (compared: Compared) =>
  `the ${compared.figure} trains at >= ${compared.atLeast}x PyTorch's one-thread samples per second on our wasm path`;

/**
 * The PyTorch peer on the models ours measured, its figures, and ours over its, graded against the
 * issue's targets: ours and the peer alternate PEER_TURNS times, and each side's figure is the median
 * over all its turns' steps. A peer that is missing or fails leaves the targets pending (not met), with why.
 */
export async function torchPeerRows(
  ours: Partial<Record<PeerModel, OurSteps>>,
  timing: TimedJob,
  remeasureOurs: RemeasureOurs,
): Promise<{ rows: Row[]; notes: string[]; pendingTargets: PendingTarget[] }> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const pendingTargets: PendingTarget[] = [];
  const pending = (compared: Compared, reason: string) => {
    if (compared.atLeast !== undefined) pendingTargets.push({ text: targetText(compared), reason });
  };
  const cases = new Map<PeerModel, PeerCase>();
  for (const compared of COMPARED) {
    const step = ours[compared.model];
    if (!step) {
      pending(compared, 'ours was not measured on wasm (see the notes)');
      continue;
    }
    const peerCase = buildCase(compared.model, step.batch, timing);
    if (typeof peerCase === 'string') {
      notes.push(`PyTorch peer, ${compared.figure}: not run: ${peerCase}`);
      pending(compared, peerCase);
    } else cases.set(compared.model, peerCase);
  }
  if (cases.size === 0) return { rows, notes, pendingTargets };

  const oursMs = new Map([...cases.keys()].map((model) => [model, [...(ours[model]?.samplesMs ?? [])]]));
  const peerResults = new Map<PeerModel, PeerTimedResult[]>();
  const failures = new Map<PeerModel, string>();
  let peerName = '';
  for (let turn = 0; turn < PEER_TURNS; turn++) {
    if (turn > 0) {
      for (const model of cases.keys()) oursMs.get(model)?.push(...((await remeasureOurs(model)) ?? []));
    }
    const outcome = await runTorchPeer(
      [...cases.values()].map((c) => c.job),
      PEER_SECONDS,
    );
    if ('missing' in outcome) {
      notes.push(`PyTorch peer: ${outcome.missing}. Its targets count as missed.`);
      for (const compared of COMPARED) if (cases.has(compared.model)) pending(compared, outcome.missing);
      return { rows, notes, pendingTargets };
    }
    const { answer } = outcome;
    peerName = `PyTorch ${answer.torch} CPU, ${answer.threads} thread${answer.threads === 1 ? '' : 's'}`;
    for (const model of cases.keys()) {
      const result = timedResult(answer, model);
      if (typeof result === 'string') failures.set(model, failures.get(model) ?? result);
      else peerResults.set(model, [...(peerResults.get(model) ?? []), result]);
    }
  }
  notes.push(
    `PyTorch peer (bench/train/torch_peer.py, run by this benchmark as a child process): ${peerName}, ` +
      'the same networks, batch, loss (written out from pytorch-metric-learning and sentence-transformers) ' +
      'and Adam; trainable parameter counts checked equal to ours. The CNN peer trains on fixed random ' +
      'images (ours augments every batch inside its step); the text peer gets the batches ours featurized ' +
      '(ours featurizes inside its step) and trains an EmbeddingBag with sparse gradients and SparseAdam ' +
      `(lazy, as ours). Ours and the peer take turns, ${PEER_TURNS} each per round (ours above, the peer, ` +
      'ours again in a fresh process, ...), so both sides see the same stretches of machine time; ratios are ' +
      "ours over PyTorch's samples per second, each the median over all its turns' steps in this round.",
  );
  for (const compared of COMPARED) {
    const peerCase = cases.get(compared.model);
    const step = ours[compared.model];
    if (!peerCase || !step) continue;
    const failure = failures.get(compared.model);
    const results = peerResults.get(compared.model) ?? [];
    if (failure || results.length === 0) {
      const why = failure ?? 'no result';
      notes.push(`PyTorch peer, ${compared.figure}: failed: ${why}`);
      pending(compared, `the peer failed: ${why}`);
      continue;
    }
    const { batch, parameters } = results[0];
    const peerMs = results.flatMap((r) => r.samplesMs);
    const figure = `${compared.figure} on ${peerName}`;
    rows.push(
      rateRow('samples per second', figure, peerMs, batch, 'samples/s'),
      timingRow('step time', figure, peerMs),
    );
    if (parameters !== peerCase.ourParameters) {
      const why = `the peer's network has ${parameters} trainable parameters, ours ${peerCase.ourParameters}`;
      notes.push(`PyTorch peer, ${compared.figure}: not compared: ${why}`);
      pending(compared, why);
      continue;
    }
    const peerPerSecond = batch / summarize(peerMs).median;
    const oursPerSecond = step.batch / summarize(oursMs.get(compared.model) ?? step.samplesMs).median;
    const ratio = oursPerSecond / peerPerSecond;
    const graded =
      compared.atLeast === undefined
        ? {}
        : { target: target(`>= ${compared.atLeast}x`, ratio >= compared.atLeast, 'higher') };
    rows.push(valueRow(RATIO_GROUP, compared.figure, ratio, 'x', graded));
  }
  return { rows, notes, pendingTargets };
}

function buildCase(model: PeerModel, batch: number, timing: TimedJob): PeerCase | string {
  if (model === 'mlp') return mlpPeerCase(batch, timing);
  if (model === 'cnn') return cnnPeerCase(batch, timing);
  try {
    return textPeerCase(timing);
  } catch (error) {
    return `its batches could not be made: ${(error as Error).message.split('\n')[0]}`;
  }
}
