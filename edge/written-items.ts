import { z } from 'zod';
import type { UpsertItem } from './collection-schemas.ts';
import type { AppDeps } from './context.ts';
import { ApiError } from './errors.ts';
import { givenUnitVector } from './given-vector.ts';
import { embedRequestInputs, type RequestInput } from './image/request-inputs.ts';
import type { CollectionInfo, LoadedModel, WrittenItem } from './ports.ts';

/**
 * Items of an upsert request as the store takes them: texts embedded together through the model's
 * micro-batched embedder, images one by one (as /v1/embed does), vectors checked against the collection
 * and made unit. Every 400 names the item's field (`items.3.metadata.year`). Nothing is written here.
 */
export async function writtenItems(
  deps: AppDeps,
  model: LoadedModel,
  collection: CollectionInfo,
  items: readonly UpsertItem[],
): Promise<WrittenItem[]> {
  const takes = model.manifest.input.kind;
  items.forEach((item, i) => {
    checkFilterable(collection, item.metadata, `items.${i}.metadata`);
    const field =
      item.text !== undefined ? 'text' : item.vector ? undefined : item.image ? 'image' : 'pixels';
    if (field && (field === 'text') !== (takes === 'text')) {
      throw new ApiError(
        400,
        'invalid_request',
        `items.${i}.${field}: model "${model.manifest.name}" embeds ${takes}s only`,
      );
    }
  });
  const vectors = new Map<number, Float32Array>();
  const texts = items.flatMap((item, i) => (item.text === undefined ? [] : [i]));
  const embedded =
    texts.length === 0
      ? []
      : await embedRequestInputs(
          deps,
          model,
          texts.map((i) => items[i].text as string),
          'items',
        );
  texts.forEach((i, j) => vectors.set(i, embedded[j]));
  for (const [i, item] of items.entries()) {
    const input = imageInputOf(item);
    if (input) vectors.set(i, (await embedRequestInputs(deps, model, [input], `items.${i}`))[0]);
    if (item.vector) vectors.set(i, givenUnitVector(item.vector, collection, `items.${i}.vector`));
  }
  return items.map((item, i) => ({
    id: item.id,
    vector: vectors.get(i) as Float32Array,
    text: item.text ?? null,
    source: item.vector ? null : JSON.stringify(item.text ?? imageInputOf(item)),
    metadata: item.metadata,
  }));
}

function imageInputOf(item: UpsertItem): Exclude<RequestInput, string> | undefined {
  if (item.image !== undefined) return { image: item.image };
  if (item.pixels !== undefined) return { pixels: item.pixels };
  return undefined;
}

/** 400 naming the first filterable field an item's metadata lacks or holds a value of the wrong type in. */
function checkFilterable(collection: CollectionInfo, metadata: Record<string, unknown>, path: string): void {
  for (const { name, type } of collection.filterable ?? []) {
    const value = metadata[name];
    const fits =
      type === 'integer'
        ? Number.isSafeInteger(value)
        : type === 'float'
          ? typeof value === 'number' && Number.isFinite(value)
          : typeof value === (type === 'text' ? 'string' : 'boolean');
    if (!fits) {
      throw new ApiError(
        400,
        'invalid_request',
        `${path}.${name}: collection "${collection.name}" filters on "${name}", so every item needs a ${type} value there`,
      );
    }
  }
}

/** What the store keeps to embed an item again: its text, or its image as the request gave it. */
const SourceSchema = z.union([
  z.string(),
  z.object({ image: z.string() }).strict(),
  z.object({ pixels: z.array(z.array(z.number())) }).strict(),
]);

/** Embeds stored sources again with the model's current version, a request's worth at a time. */
export async function reembedSources(
  deps: AppDeps,
  model: LoadedModel,
  items: readonly { id: string; source: string }[],
): Promise<Map<string, Float32Array>> {
  const vectors = new Map<string, Float32Array>();
  for (let start = 0; start < items.length; start += deps.limits.maxBatch) {
    const chunk = items.slice(start, start + deps.limits.maxBatch);
    const inputs = chunk.map((item) => SourceSchema.parse(JSON.parse(item.source)));
    const embedded = await embedRequestInputs(deps, model, inputs, 'items');
    chunk.forEach((item, i) => vectors.set(item.id, embedded[i]));
  }
  return vectors;
}
