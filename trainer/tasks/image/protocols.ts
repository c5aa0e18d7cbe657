import { createRandom, type Random, shuffle } from '../../../shared/random.ts';
import { itemsOfClasses } from '../../eval/protocol.ts';
import type { Protocol } from './config.ts';
import { type ImageSet, selectImages } from './image-set.ts';

export interface ProtocolSplit {
  /** Images the gradient sees. */
  train: ImageSet;
  /** Images that select the model (early stopping and the best checkpoint); never trained on. */
  validation: ImageSet;
  /** Images of the final evaluation only. */
  test: ImageSet;
  description: string;
}

/** Splits a dataset's train and test images as `protocol` says (see ProtocolSchema); seeded. */
export function splitForProtocol(
  data: { train: ImageSet; test: ImageSet },
  protocol: Protocol,
  seed: number,
  validationItems: number,
): ProtocolSplit {
  const random = createRandom(seed * 7919 + 17);
  const names = (classes: number[]) => classes.map((c) => data.train.classNames[c]).join(', ');
  const sortAscending = (rows: number[]) => Int32Array.from(rows).sort();
  if (protocol.kind === 'catalogue') {
    const { held, kept } = holdOutPerClass(data.train.labels, random, (n) => {
      const count = Math.max(1, Math.round(n * protocol.validation));
      return [0, count];
    });
    return {
      train: selectImages(data.train, sortAscending(kept)),
      validation: selectImages(
        data.train,
        stratifiedSample(sortAscending(held), data.train.labels, validationItems, random),
      ),
      test: data.test,
      description:
        `catalogue: train on ${Math.round((1 - protocol.validation) * 100)}% of every class's training images, ` +
        'select on the rest; test images searched against the test set',
    };
  }
  const classCount = data.train.classNames.length;
  const validationClasses = protocol.kind === 'class-disjoint' ? protocol.validationClasses : [];
  for (const label of [...protocol.trainClasses, ...validationClasses, ...protocol.testClasses]) {
    if (label >= classCount) throw new Error(`class ${label} does not exist (the dataset has ${classCount})`);
  }
  const test = selectImages(data.test, itemsOfClasses(data.test.labels, protocol.testClasses));
  const unseen = `test on unseen classes ${names(protocol.testClasses)} (test split)`;
  if (protocol.kind === 'class-disjoint') {
    const validation = itemsOfClasses(data.train.labels, validationClasses);
    return {
      train: selectImages(data.train, itemsOfClasses(data.train.labels, protocol.trainClasses)),
      validation: selectImages(
        data.train,
        stratifiedSample(validation, data.train.labels, validationItems, random),
      ),
      test,
      description:
        `class-disjoint: train on ${names(protocol.trainClasses)}; select on held-out classes ` +
        `${names(validationClasses)}; ${unseen}`,
    };
  }
  const { folds, fold } = protocol;
  const rows = itemsOfClasses(data.train.labels, protocol.trainClasses);
  const { held, kept } = holdOutPerClass(
    Int32Array.from(rows, (row) => data.train.labels[row]),
    random,
    (n) => [Math.round((fold * n) / folds), Math.round(((fold + 1) * n) / folds)],
  );
  const rowsAt = (positions: number[]) => sortAscending(positions.map((p) => rows[p]));
  return {
    train: selectImages(data.train, rowsAt(kept)),
    validation: selectImages(
      data.train,
      stratifiedSample(rowsAt(held), data.train.labels, validationItems, random),
    ),
    test,
    description:
      `class-disjoint-images: train on ${names(protocol.trainClasses)}; select on held-out images of them ` +
      `(slice ${fold + 1} of ${folds} of each class); ${unseen}`,
  };
}

/**
 * Splits the positions of `labels` class by class: each class's positions are shuffled (seeded) and the
 * slice `[start, end)` that `slice(count)` gives is held out, the rest kept.
 */
function holdOutPerClass(
  labels: Int32Array,
  random: Random,
  slice: (count: number) => [number, number],
): { held: number[]; kept: number[] } {
  const held: number[] = [];
  const kept: number[] = [];
  for (const positions of byLabel(labels).values()) {
    shuffle(positions, random.next);
    const [start, end] = slice(positions.length);
    held.push(...positions.slice(start, end));
    kept.push(...positions.slice(0, start), ...positions.slice(end));
  }
  return { held, kept };
}

/** At most `max` of `rows`, the same share of each label, in increasing order. */
export function stratifiedSample(
  rows: Int32Array,
  labels: Int32Array,
  max: number,
  random: Random,
): Int32Array {
  if (rows.length <= max) return rows;
  const groups = byLabel(Int32Array.from(rows, (row) => labels[row]));
  const picked: number[] = [];
  for (const positions of groups.values()) {
    shuffle(positions, random.next);
    const keep = Math.max(1, Math.floor((positions.length * max) / rows.length));
    picked.push(...positions.slice(0, keep).map((p) => rows[p]));
  }
  return Int32Array.from(picked).sort();
}

function byLabel(labels: Int32Array): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  labels.forEach((label, row) => {
    const group = groups.get(label);
    if (group) group.push(row);
    else groups.set(label, [row]);
  });
  return groups;
}
