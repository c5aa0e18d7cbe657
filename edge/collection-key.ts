import type { CollectionRef } from './ports.ts';

/** A map key for a collection: its model and name together (two models may each hold one of a name). */
export function collectionKey({ model, name }: CollectionRef): string {
  return JSON.stringify([model, name]);
}

/** How messages name a collection: `wordnet` of model wordnet-text. */
export function describeCollection({ model, name }: CollectionRef): string {
  return `"${name}" of model ${model}`;
}

/** The collection `ref` names in a map keyed by collectionKey; throws naming it when there is none. */
export function requireCollection<T>(byKey: ReadonlyMap<string, T>, ref: CollectionRef): T {
  const found = byKey.get(collectionKey(ref));
  if (found === undefined) throw new Error(`unknown collection ${describeCollection(ref)}`);
  return found;
}
