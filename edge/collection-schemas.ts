// From @hono/zod-openapi: the same zod, extended with .openapi() so routes can name components.
import { z } from '@hono/zod-openapi';
import { MAX_METADATA_COLUMNS, MetadataColumnSchema } from '../shared/db/index-schema.ts';
import { ModelNameSchema } from '../shared/manifest.ts';
import type { Limits } from './limits.ts';
import { ModelRefSchema } from './model-ref.ts';
import { MAX_PIXEL_ROWS } from './schemas.ts';

/**
 * The HTTP contract of the written collections (POST /v1/collections and the item routes): request bodies
 * are parsed with these schemas and answers typed by them. The limits a write must keep are here.
 */

/** JSON bytes of one item's metadata (UTF-8): larger documents belong in a store of their own. */
export const MAX_METADATA_BYTES = 8192;
/** Characters of an item id. */
export const MAX_ITEM_ID_CHARS = 256;
/** Characters of a collection's description. */
export const MAX_DESCRIPTION_CHARS = 1024;
/** Items per page of GET /v1/collections/{name}/items. */
export const MAX_PAGE_ITEMS = 1000;
/** Values of a vector given with an item (the widest model's dims fit). */
export const MAX_VECTOR_VALUES = 4096;

export const ItemIdSchema = z
  .string()
  .min(1, `item ids are 1 to ${MAX_ITEM_ID_CHARS} characters`)
  .max(MAX_ITEM_ID_CHARS, `item ids are 1 to ${MAX_ITEM_ID_CHARS} characters`);

const MetadataSchema = z
  .record(z.string(), z.unknown())
  .refine(
    (metadata) => new TextEncoder().encode(JSON.stringify(metadata)).length <= MAX_METADATA_BYTES,
    `metadata is at most ${MAX_METADATA_BYTES} bytes of JSON`,
  )
  .describe(
    `Any JSON object of at most ${MAX_METADATA_BYTES} bytes; it must hold every filterable field of the collection, with a value of its type.`,
  );

/** The inputs an item may be given as: exactly one of them. */
const ITEM_INPUTS = ['text', 'image', 'pixels', 'vector'] as const;

export function createCollectionRequestSchemas(limits: Limits) {
  const ids = (what: string) =>
    z
      .array(ItemIdSchema)
      .min(1, `${what} must hold at least one id`)
      .max(limits.maxBatch, `at most ${limits.maxBatch} ${what} per request`)
      .superRefine(
        noRepeats(
          (id) => id,
          (i) => [i],
        ),
      );
  const Item = z
    .object({
      id: ItemIdSchema,
      text: z
        .string()
        .max(limits.maxTextChars, `texts are at most ${limits.maxTextChars} characters`)
        .optional()
        .describe("A text, embedded by the collection's model (a text model) and returned with search hits."),
      image: z
        .string()
        .min(1)
        .optional()
        .describe(
          "A base64 PNG or JPEG (a data: URL is accepted), embedded by the collection's image model.",
        ),
      pixels: z
        .array(z.array(z.number().min(0).max(255)).min(1).max(MAX_PIXEL_ROWS))
        .min(1)
        .max(MAX_PIXEL_ROWS)
        .optional()
        .describe("Grey pixel rows, 0 to 255, embedded by the collection's image model."),
      vector: z
        .array(z.number())
        .min(1)
        .max(MAX_VECTOR_VALUES)
        .optional()
        .describe(
          "The item's vector, of the collection's dims, made by the same model version (stored as a unit vector); such an item cannot be embedded again after a promotion.",
        ),
      metadata: MetadataSchema.default({}),
    })
    .strict()
    .superRefine((item, context) => {
      const given = ITEM_INPUTS.filter((input) => item[input] !== undefined);
      if (given.length !== 1) {
        context.addIssue({
          code: 'custom',
          path: [given[1] ?? 'text'],
          message: `give exactly one of ${ITEM_INPUTS.join(', ')} (got ${given.length === 0 ? 'none' : given.join(' and ')})`,
        });
      }
    });
  const model = ModelRefSchema.optional().describe(
    'The model whose collection it is, when several models hold a collection of this name; pinned as `<name>@<version>`, it must be the version the collection is bound to (409 otherwise).',
  );

  return {
    CreateCollectionRequest: z
      .object({
        name: ModelNameSchema.describe('1-64 of a-z, 0-9, _ and -, starting alphanumeric; unique per model.'),
        model: ModelRefSchema.optional().describe(
          'The model that embeds its items and queries, bound to the version it serves now (pinned as `<name>@<version>`, that must be it); the default model when omitted.',
        ),
        description: z.string().max(MAX_DESCRIPTION_CHARS).optional(),
        filterable: z
          .array(MetadataColumnSchema)
          .max(MAX_METADATA_COLUMNS, `at most ${MAX_METADATA_COLUMNS} filterable fields`)
          .superRefine(
            noRepeats(
              (column) => column.name,
              (i) => [i, 'name'],
            ),
          )
          .optional()
          .describe(
            'Metadata fields searches may filter on, with their types; every item must then carry them. Fixed when the collection is created.',
          ),
      })
      .strict(),
    UpsertItemsRequest: z
      .object({
        items: z
          .array(Item)
          .min(1, 'items must hold at least one item')
          .max(limits.maxBatch, `at most ${limits.maxBatch} items per request`)
          .superRefine(
            noRepeats(
              (item) => item.id,
              (i) => [i, 'id'],
            ),
          ),
        model,
      })
      .strict(),
    DeleteItemsRequest: z.object({ ids: ids('ids'), model }).strict(),
    ItemsQuery: z
      .object({
        model,
        limit: z.coerce
          .number()
          .int()
          .min(1, `limit must be between 1 and ${MAX_PAGE_ITEMS}`)
          .max(MAX_PAGE_ITEMS, `limit must be between 1 and ${MAX_PAGE_ITEMS}`)
          .default(100),
        after: ItemIdSchema.optional().describe('The `next` of the previous page.'),
        include_vector: BooleanQuery,
      })
      .strict(),
    ItemQuery: z.object({ model, include_vector: BooleanQuery }).strict(),
  };
}

/** A query flag: `true` or `false` (`?include_vector=true`), false when absent. */
const BooleanQuery = z
  .enum(['true', 'false'])
  .default('false')
  .transform((value) => value === 'true')
  .describe("Also return each item's stored vector.");

/** A zod check that no two elements share a key; the issue names the second one's path. */
function noRepeats<T>(key: (element: T) => string, path: (index: number) => (string | number)[]) {
  return (elements: T[], context: z.RefinementCtx) => {
    const seen = new Set<string>();
    elements.forEach((element, i) => {
      const value = key(element);
      if (seen.has(value)) {
        context.addIssue({
          code: 'custom',
          path: path(i),
          message: `${JSON.stringify(value)} appears twice`,
        });
      }
      seen.add(value);
    });
  };
}

export type CollectionRequestSchemas = ReturnType<typeof createCollectionRequestSchemas>;
export type UpsertItemsRequest = z.infer<CollectionRequestSchemas['UpsertItemsRequest']>;
export type UpsertItem = UpsertItemsRequest['items'][number];

const CollectionField = z.string().describe('The collection written.');
const ModelField = z.string().describe('The model whose collection it is.');
const BoundVersionField = z
  .string()
  .describe("The version of `model` that embedded the collection's items (and embeds its queries).");
const SearchField = z
  .enum(['graph', 'exact'])
  .describe(
    'How searches without a filter run now: every write drops the search graph, so search is exact until POST /v1/collections/{name}/graph rebuilds it.',
  );

export const WrittenItemSchema = z.object({
  id: z.string(),
  text: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  embedded: z
    .boolean()
    .describe(
      'Whether the server embedded it from a stored text or image (true) or it was given as a vector.',
    ),
  vector: z.array(z.number()).optional().describe('With include_vector=true: the stored unit vector.'),
});

export const UpsertItemsResponseSchema = z.object({
  collection: CollectionField,
  model: ModelField,
  model_version: BoundVersionField,
  created: z.number().int().nonnegative().describe('Items whose id was new.'),
  updated: z.number().int().nonnegative().describe('Items whose id was stored: replaced whole.'),
  items: z.number().int().nonnegative().describe('Items in the collection now.'),
  search: SearchField,
});

export const DeleteItemsResponseSchema = z.object({
  collection: CollectionField,
  model: ModelField,
  deleted: z.array(z.string()).describe('The ids that were stored, now deleted.'),
  not_found: z.array(z.string()).describe('The ids the collection did not hold.'),
  items: z.number().int().nonnegative(),
  search: SearchField,
});

export const ItemResponseSchema = WrittenItemSchema.extend({
  collection: CollectionField,
  model: ModelField,
  model_version: BoundVersionField,
});

export const ItemsPageResponseSchema = z.object({
  collection: CollectionField,
  model: ModelField,
  model_version: BoundVersionField,
  items: z.array(WrittenItemSchema).describe('In id order (by UTF-8 bytes).'),
  next: z.string().nullable().describe('Pass as `after` for the next page; null on the last one.'),
});

export const DroppedCollectionResponseSchema = z.object({
  collection: CollectionField,
  model: ModelField,
  deleted: z.literal(true),
  items: z.number().int().nonnegative().describe('Items it held.'),
});

export const GraphResponseSchema = z.object({
  collection: CollectionField,
  model: ModelField,
  items: z.number().int().nonnegative(),
  search: SearchField,
});

export const ReembedResponseSchema = z.object({
  collection: CollectionField,
  model: ModelField,
  model_version: BoundVersionField.describe('The version now bound: the one its model serves.'),
  previous_version: z.string().describe('The version that had embedded the items.'),
  items: z.number().int().nonnegative().describe('Items embedded again.'),
});
