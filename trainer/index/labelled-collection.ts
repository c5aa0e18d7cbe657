import {
  classPrototypes,
  type LabelledVector,
  leaveOneOutScores,
  thresholdFromScores,
} from '../../shared/fewshot/index.ts';
import type { CollectionLabels } from '../../shared/manifest.ts';
import type { IndexItem } from './build-index.ts';

/**
 * Gathers a labelled collection's classes while its items are embedded (wrap the index's `embed` with
 * `observe`): each item's class is its metadata[`field`]. The result goes into the manifest's collection
 * entry, so /v1/classify can classify against the collection on Node and Workers alike.
 */
export function labelCollector(field: string) {
  const labelled: LabelledVector[] = [];
  return {
    /** Wraps an index build's embed function; items without the field are not counted. */
    observe<T extends IndexItem>(embed: (texts: string[], items: T[]) => Promise<Float32Array[]>) {
      return async (texts: string[], items: T[]) => {
        const vectors = await embed(texts, items);
        items.forEach((item, i) => {
          const label = item.metadata?.[field];
          if (label !== undefined && label !== null)
            labelled.push({ vector: vectors[i], label: String(label) });
        });
        return vectors;
      };
    },
    /** The classes with their prototypes and the prototype method's leave-one-out open-set threshold. */
    labels(): CollectionLabels {
      const classes = classPrototypes(labelled);
      if (classes.length < 2) {
        throw new Error(
          `a labelled collection needs at least two classes in metadata.${field}; found ${classes.length}`,
        );
      }
      return {
        field,
        classes: classes.map((c) => ({ label: c.label, items: c.items, prototype: Array.from(c.prototype) })),
        open_set_threshold: clamp(thresholdFromScores(leaveOneOutScores(labelled, 'prototype'))),
      };
    },
  };
}

/** A cosine rounded a hair outside [-1, 1] back inside (the manifest bounds it). */
function clamp(value: number | null): number | null {
  return value === null ? null : Math.min(1, Math.max(-1, value));
}
