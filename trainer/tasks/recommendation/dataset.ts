import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { decodeUtf8 } from '../../util/utf8-text.ts';
import { BadRows } from './bad-rows.ts';
import type { RecsConfig } from './config.ts';
import { type Interaction, parseInteractions } from './interactions.ts';
import { type CatalogItem, parseItems } from './items.ts';

/** One user's interactions in time order (ties in file order), items as catalogue rows. */
export interface UserHistory {
  id: string;
  /** Every interaction's item, positive or not: what the user has seen. */
  items: Int32Array;
  /** Whether each interaction is positive (implicit feedback). */
  positive: Uint8Array;
}

/**
 * Leave-last-out: a user's last positive is the test item, the one before it the validation item, the
 * earlier ones are training positives. `exclude*` are the items the user interacted with (positively or
 * not) before the held-out one: they are left out of the ranking that is judged.
 */
export interface UserSplit {
  user: number;
  train: Int32Array;
  validation: number;
  test: number;
  excludeForValidation: Int32Array;
  excludeForTest: Int32Array;
}

export interface RecsDataset {
  /** The catalogue; an item's row is its index here. */
  items: CatalogItem[];
  rowOf: ReadonlyMap<string, number>;
  users: UserHistory[];
  /** Training positives of every user (all of them for users with fewer than three positives). */
  train: Int32Array[];
  /** One split per user with at least three positives; the others only train. */
  splits: UserSplit[];
  /** sha256 over the data files and the settings that shape the dataset. */
  fingerprint: string;
  badRows: BadRows;
  interactions: number;
  positives: number;
}

/** A user needs a training, a validation and a test positive to be evaluated. */
export const MIN_POSITIVES_FOR_SPLIT = 3;

export class MissingDataError extends Error {}

/** Loads the catalogue and every interaction file, applies the rating threshold and splits each user. */
export function loadRecsDataset(data: RecsConfig['data']): RecsDataset {
  const bad = new BadRows(data.strict);
  const hash = createHash('sha256');
  // The settings that shape the dataset, not where the files are: a moved copy keeps its fingerprint.
  const { interactions: _files, items: _file, strict: _strict, ...settings } = data;
  hash.update(JSON.stringify(settings));
  const read = (file: string) => {
    if (!existsSync(file)) throw new MissingDataError(`${file} does not exist (see data in the config)`);
    const bytes = readFileSync(file);
    hash.update(bytes);
    return decodeUtf8(bytes, file);
  };

  const items = parseItems(read(data.items), data.items, data.itemColumns, bad);
  const rowOf = new Map(items.map((item, row) => [item.id, row]));
  const known = new Set(rowOf.keys());
  let interactions: Interaction[] = [];
  for (const file of data.interactions) {
    const parsed = parseInteractions(
      read(file),
      file,
      data.interactionColumns,
      known,
      bad,
      interactions.length,
    );
    interactions = interactions.concat(parsed);
  }
  bad.check();

  const isPositive = (i: Interaction) =>
    data.positiveRating === null || i.rating === null || i.rating >= data.positiveRating;
  const users = userHistories(interactions, rowOf, isPositive);
  const train: Int32Array[] = [];
  const splits: UserSplit[] = [];
  users.forEach((history, user) => {
    const split = leaveLastOut(history, user);
    if (split) splits.push(split);
    train.push(split ? split.train : positivesOf(history));
  });
  return {
    items,
    rowOf,
    users,
    train,
    splits,
    fingerprint: hash.digest('hex'),
    badRows: bad,
    interactions: interactions.length,
    positives: interactions.filter(isPositive).length,
  };
}

function userHistories(
  interactions: readonly Interaction[],
  rowOf: ReadonlyMap<string, number>,
  isPositive: (i: Interaction) => boolean,
): UserHistory[] {
  const byUser = new Map<string, Interaction[]>();
  for (const interaction of interactions) {
    const list = byUser.get(interaction.user);
    if (list) list.push(interaction);
    else byUser.set(interaction.user, [interaction]);
  }
  return [...byUser].map(([id, list]) => {
    list.sort((a, b) => a.timestamp - b.timestamp || a.order - b.order);
    return {
      id,
      items: Int32Array.from(list, (i) => rowOf.get(i.item)!),
      positive: Uint8Array.from(list, (i) => (isPositive(i) ? 1 : 0)),
    };
  });
}

function positivesOf(history: UserHistory, end = history.items.length): Int32Array {
  return history.items.subarray(0, end).filter((_, i) => history.positive[i] === 1);
}

/** The split of one user, or undefined when they have fewer than three positives. */
function leaveLastOut(history: UserHistory, user: number): UserSplit | undefined {
  const positions: number[] = [];
  history.positive.forEach((p, i) => p === 1 && positions.push(i));
  if (positions.length < MIN_POSITIVES_FOR_SPLIT) return undefined;
  const testAt = positions[positions.length - 1];
  const validationAt = positions[positions.length - 2];
  return {
    user,
    train: positivesOf(history, validationAt),
    validation: history.items[validationAt],
    test: history.items[testAt],
    excludeForValidation: history.items.slice(0, validationAt),
    excludeForTest: history.items.slice(0, testAt),
  };
}
