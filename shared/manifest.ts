import { z } from 'zod';
import { TextFeaturizerConfigSchema } from './featurizer/text.ts';
import { parseOrThrow } from './validation.ts';

/**
 * The model manifest: everything a consumer needs to use a published model version and to trust its
 * files. Trainer writes it, edge validates it at load; both import this one schema.
 */
export const MANIFEST_SCHEMA_VERSION = 1;

export const ModelNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'model names are 1-64 of a-z, 0-9, _ and -, starting alphanumeric');

export const VersionSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'versions are 1-64 of A-Z, a-z, 0-9, ., _ and -');

export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex sha256');

export const FileEntrySchema = z
  .object({
    /** Relative to the manifest's folder. */
    path: z.string().regex(/^[A-Za-z0-9._-]+$/, 'a plain file name inside the version folder'),
    sha256: Sha256Schema,
    bytes: z.number().int().nonnegative(),
  })
  .strict();
export type FileEntry = z.infer<typeof FileEntrySchema>;

/** The WebGPU adapter a model trained on (`dml-edge backends` shows the same fields). */
export const GpuAdapterSchema = z
  .object({
    vendor: z.string(),
    architecture: z.string(),
    device: z.string(),
    description: z.string(),
    /** A CPU implementation (lavapipe, SwiftShader): proves the path, not GPU speed. */
    software: z.boolean(),
  })
  .strict();
export type GpuAdapter = z.infer<typeof GpuAdapterSchema>;

export const TextInputSchema = z
  .object({
    kind: z.literal('text'),
    featurizer: TextFeaturizerConfigSchema,
    /** ONNX graph input and output names. */
    onnx: z.object({ ids: z.string(), weights: z.string(), output: z.string() }).strict(),
  })
  .strict();
export type TextInput = z.infer<typeof TextInputSchema>;

/**
 * An image model's input: grey images resized to height x width (padded to a square first when the input
 * is square), as NHWC float32 [batch, height, width, 1] of (pixel / 255 - mean) / std.
 */
export const ImageInputSchema = z
  .object({
    kind: z.literal('image'),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    channels: z.literal(1),
    normalization: z.object({ mean: z.number(), std: z.number().positive() }).strict(),
    /** ONNX graph input and output names. */
    onnx: z.object({ input: z.string(), output: z.string() }).strict(),
  })
  .strict();
export type ImageInput = z.infer<typeof ImageInputSchema>;

/** What a model takes: narrow on `kind` before reading kind-specific fields (a featurizer, an image size). */
export const InputSchema = z.discriminatedUnion('kind', [TextInputSchema, ImageInputSchema]);

export const DistanceSchema = z.enum(['cosine', 'dot', 'euclidean']);
export type Distance = z.infer<typeof DistanceSchema>;

/**
 * What a recommendation model adds: its item collection, and the user tower the edge applies to the
 * vectors of a user's recent items (shared/recs/user-vector.ts) to recommend without retraining.
 */
export const RecommendationSchema = z
  .object({
    /** The collection (in this version's index) whose items are recommended and pooled. */
    collection: ModelNameSchema,
    /** A user is their this many most recent distinct positive items. */
    recent_items: z.number().int().positive(),
    /** Pooling weight of each older item relative to the next newer one (1: a plain mean). */
    recency_decay: z.number().gt(0).max(1),
    /** Interactions rated at least this are positives; null: every interaction is. */
    positive_rating: z.number().nullable(),
    user_tower: z
      .object({
        /** [dim, dim] row-major. */
        kernel: z.array(z.number()),
        bias: z.array(z.number()),
      })
      .strict(),
  })
  .strict();
export type Recommendation = z.infer<typeof RecommendationSchema>;

/**
 * A labelled collection's classes, computed at index time so /v1/classify can classify against the
 * collection without examples in the request: each item's class is its metadata[`field`].
 */
export const CollectionLabelsSchema = z
  .object({
    field: z.string().min(1),
    classes: z
      .array(
        z
          .object({
            label: z.string(),
            items: z.number().int().positive(),
            /** The unit mean of the class's unit item vectors (nearest-prototype classification). */
            prototype: z.array(z.number()),
          })
          .strict(),
      )
      .min(2),
    /** The prototype method's open-set threshold, by leave-one-out over the items; null when none could be set. */
    open_set_threshold: z.number().min(-1).max(1).nullable(),
  })
  .strict();
export type CollectionLabels = z.infer<typeof CollectionLabelsSchema>;

export const CollectionEntrySchema = z
  .object({
    name: ModelNameSchema,
    items: z.number().int().nonnegative(),
    description: z.string().optional(),
    /** Present for a labelled collection (items carry a class label in their metadata). */
    labels: CollectionLabelsSchema.optional(),
  })
  .strict();

export const ManifestSchema = z
  .object({
    schema_version: z.literal(MANIFEST_SCHEMA_VERSION),
    name: ModelNameSchema,
    version: VersionSchema,
    created_at: z.iso.datetime(),
    task: z.enum(['text-similarity', 'recommendation', 'image-similarity']),
    input: InputSchema,
    embedding: z
      .object({
        dim: z.number().int().positive(),
        distance: DistanceSchema,
        normalized: z.boolean(),
      })
      .strict(),
    files: z
      .object({
        model: FileEntrySchema,
        model_int8: FileEntrySchema,
        index: FileEntrySchema.optional(),
        report: FileEntrySchema.optional(),
        /** The Workers build of the index: worker-index.json, which lists its shard files and their sha256. */
        worker_index: FileEntrySchema.optional(),
      })
      .strict(),
    /** Which ONNX file the edge serves by default. */
    serve: z.enum(['model', 'model_int8']).default('model_int8'),
    collections: z.array(CollectionEntrySchema).default([]),
    training: z
      .object({
        config: z.record(z.string(), z.unknown()),
        backend: z.string(),
        /** Present when the backend was webgpu. */
        adapter: GpuAdapterSchema.optional(),
        steps: z.number().int().nonnegative(),
        seconds: z.number().nonnegative(),
        run_id: z.string(),
      })
      .strict(),
    data_fingerprint: Sha256Schema,
    /** A calibrated threshold: the edge answers `match` for similarity scores >= threshold. */
    decision: z
      .object({
        threshold: z.number().min(-1).max(1),
        target_precision: z.number().gt(0).lte(1),
        /** Where the threshold was chosen and what it achieved on held-out test pairs. */
        calibrated_on: z.string(),
        test_precision: z.number().min(0).max(1),
        test_recall: z.number().min(0).max(1),
      })
      .strict()
      .optional(),
    /**
     * Verification (same identity or not): the edge's /v1/verify answers `same` for scores >= threshold,
     * calibrated on validation pairs for a target false-accept rate, with what it gave on test pairs.
     */
    verification: z
      .object({
        threshold: z.number().min(-1).max(1),
        target_far: z.number().gt(0).lt(1),
        calibrated_on: z.string(),
        test_far: z.number().min(0).max(1),
        test_tar: z.number().min(0).max(1),
        test_eer: z.number().min(0).max(1),
      })
      .strict()
      .optional(),
    /** Present when task is 'recommendation'. */
    recommendation: RecommendationSchema.optional(),
    /** Evaluation figures by variant (fp32, int8), each a flat map of metric name to value. */
    metrics: z.record(z.string(), z.record(z.string(), z.number())),
  })
  .strict();

export type Manifest = z.infer<typeof ManifestSchema>;

/** Parses a manifest and reports every problem with its path, for humans reading a startup error. */
export function parseManifest(json: unknown, source: string): Manifest {
  return parseOrThrow(ManifestSchema, json, `invalid manifest ${source}`);
}
