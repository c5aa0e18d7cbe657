import type { CollectionRef } from './ports.ts';

/** A map key for a collection: its model and name together (two models may each hold one of a name). */
export function collectionKey({ model, name }: CollectionRef): string {
  return JSON.stringify([model, name]);
}

/** How messages name a collection: `wordnet` of model wordnet-text. */
export function describeCollection({ model, name }: CollectionRef): string {
  return `"${name}" of model ${model}`;
}
