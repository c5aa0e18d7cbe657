import { itemsOfClasses } from '../../eval/protocol.ts';
import { createRandom, type Random } from '../../metric/index.ts';
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
  if (protocol.kind === 'class-disjoint') {
    const classCount = data.train.classNames.length;
    for (const label of [...protocol.trainClasses, ...protocol.validationClasses, ...protocol.testClasses]) {
      if (label >= classCount)
        throw new Error(`class ${label} does not exist (the dataset has ${classCount})`);
    }
    const names = (classes: number[]) => classes.map((c) => data.train.classNames[c]).join(', ');
    const validation = itemsOfClasses(data.train.labels, protocol.validationClasses);
    return {
      train: selectImages(data.train, itemsOfClasses(data.train.labels, protocol.trainClasses)),
      validation: selectImages(
        data.train,
        stratifiedSample(validation, data.train.labels, validationItems, random),
      ),
      test: selectImages(data.test, itemsOfClasses(data.test.labels, protocol.testClasses)),
      description:
        `class-disjoint: train on ${names(protocol.trainClasses)}; select on held-out classes ` +
        `${names(protocol.validationClasses)}; test on unseen classes ${names(protocol.testClasses)} (test split)`,
    };
  }
  const trainRows: number[] = [];
  const validationRows: number[] = [];
  for (const rows of byLabel(data.train.labels).values()) {
    shuffle(rows, random);
    const held = Math.max(1, Math.round(rows.length * protocol.validation));
    validationRows.push(...rows.slice(0, held));
    trainRows.push(...rows.slice(held));
  }
  const sortAscending = (rows: number[]) => Int32Array.from(rows).sort();
  return {
    train: selectImages(data.train, sortAscending(trainRows)),
    validation: selectImages(
      data.train,
      stratifiedSample(sortAscending(validationRows), data.train.labels, validationItems, random),
    ),
    test: data.test,
    description:
      `catalogue: train on ${Math.round((1 - protocol.validation) * 100)}% of every class's training images, ` +
      'select on the rest; test images searched against the test set',
  };
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
    shuffle(positions, random);
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

function shuffle(values: number[], random: Random): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
}
