import { z } from 'zod';
import { FilterableFieldSchema } from '../../schemas.ts';

/**
 * What the Worker and the WrittenCollections Durable Object say to each other (JSON over the object's
 * fetch): one request per CollectionStore call, checked with these schemas on both sides. Vectors travel
 * as number arrays.
 */

const Ref = { model: z.string(), name: z.string() };
const Vector = z.array(z.number());
const Metadata = z.record(z.string(), z.unknown());

export const ItemSchema = z.object({
  id: z.string(),
  vector: Vector,
  text: z.string().nullable(),
  source: z.string().nullable(),
  metadata: Metadata,
});

export const CollectionRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('list') }),
  z.object({
    op: z.literal('create'),
    ...Ref,
    modelVersion: z.string(),
    dims: z.number().int().positive(),
    description: z.string().optional(),
    filterable: z.array(FilterableFieldSchema).optional(),
  }),
  z.object({ op: z.literal('drop'), ...Ref }),
  z.object({ op: z.literal('upsert'), ...Ref, modelVersion: z.string(), items: z.array(ItemSchema) }),
  z.object({ op: z.literal('remove'), ...Ref, ids: z.array(z.string()) }),
  z.object({ op: z.literal('item'), ...Ref, id: z.string() }),
  z.object({
    op: z.literal('page'),
    ...Ref,
    after: z.string().optional(),
    limit: z.number().int().positive(),
  }),
  z.object({ op: z.literal('vectors'), ...Ref, ids: z.array(z.string()) }),
  z.object({ op: z.literal('sources'), ...Ref }),
  z.object({
    op: z.literal('rebind'),
    ...Ref,
    revision: z.number().int(),
    modelVersion: z.string(),
    vectors: z.array(z.object({ id: z.string(), vector: Vector })),
  }),
  z.object({
    op: z.literal('search'),
    ...Ref,
    query: Vector,
    k: z.number().int().positive(),
    filter: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type CollectionRequest = z.infer<typeof CollectionRequestSchema>;

export const CollectionRowSchema = z.object({
  name: z.string(),
  model: z.string(),
  modelVersion: z.string(),
  dims: z.number().int().positive(),
  items: z.number().int().nonnegative(),
  description: z.string().optional(),
  filterable: z.array(FilterableFieldSchema).optional(),
});

/** Every answer carries the collections as they are after the call, so the Worker's list stays current. */
export const ListReplySchema = z.object({ collections: z.array(CollectionRowSchema) });
export const UpsertReplySchema = ListReplySchema.extend({
  created: z.number().int(),
  updated: z.number().int(),
  boundTo: z.string().optional(),
});
export const RemoveReplySchema = ListReplySchema.extend({ removed: z.array(z.string()) });
export const ItemReplySchema = z.object({ item: ItemSchema.nullable() });
export const PageReplySchema = z.object({ items: z.array(ItemSchema), next: z.string().nullable() });
export const VectorsReplySchema = z.object({
  vectors: z.array(z.object({ id: z.string(), vector: Vector })),
});
export const SourcesReplySchema = z.object({
  revision: z.number().int(),
  items: z.array(z.object({ id: z.string(), source: z.string().nullable() })),
});
export const RebindReplySchema = ListReplySchema.extend({ rebound: z.boolean() });
export const SearchReplySchema = z.object({
  hits: z.array(
    z.object({ id: z.string(), score: z.number(), text: z.string().nullable(), metadata: Metadata }),
  ),
});
export const ErrorReplySchema = z.object({ error: z.string() });
