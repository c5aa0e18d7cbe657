import { z } from 'zod';
import { parseOrThrow } from '../../shared/validation.ts';
import { KnnDistanceSchema } from '../eval/knn.ts';
import { embeddingMatrix } from '../eval/matrix.ts';

/** A metric value; NaN (an undefined metric) is stored as null so that it survives JSON. */
const MetricValueSchema = z.preprocess(
  (v) => (typeof v === 'number' && Number.isNaN(v) ? null : v),
  z.number().nullable(),
);
const MetricsSchema = z.record(z.string(), MetricValueSchema);

const CurveSchema = z.array(
  z.object({ step: z.number().int().nonnegative(), value: MetricValueSchema }).strict(),
);

/** Only raster images as base64 data URLs: self-contained, and nothing that can carry script. */
const ThumbnailSchema = z
  .string()
  .regex(
    /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*$/,
    'a base64 data:image/(png|jpeg|gif|webp) URL',
  );

const LabelsSchema = z
  .union([z.custom<Int32Array>((v) => v instanceof Int32Array, 'an Int32Array'), z.array(z.number().int())])
  .transform((labels) => Array.from(labels));

const TestSetSchema = z
  .object({
    /** Row-major test embeddings, one row per item. */
    embeddings: z.object({
      dim: z.number().int().positive(),
      data: z.union([
        z.custom<Float32Array>((v) => v instanceof Float32Array, 'a Float32Array'),
        z.array(z.number()),
      ]),
    }),
    labels: LabelsSchema,
    /** What each item shows in tooltips and neighbour examples (its text, or a caption). */
    texts: z.array(z.string()),
    /** Optional image per item, for image datasets. */
    thumbnails: z.array(ThumbnailSchema.nullable()).optional(),
  })
  .strict()
  .superRefine((test, context) => {
    const n = test.labels.length;
    if (test.embeddings.data.length !== n * test.embeddings.dim) {
      context.addIssue({
        code: 'custom',
        message: `embeddings hold ${test.embeddings.data.length} values, expected ${n} x dim`,
      });
    }
    if (test.texts.length !== n)
      context.addIssue({ code: 'custom', message: `${test.texts.length} texts for ${n} labels` });
    if (test.thumbnails && test.thumbnails.length !== n) {
      context.addIssue({ code: 'custom', message: `${test.thumbnails.length} thumbnails for ${n} labels` });
    }
  })
  .transform(({ embeddings, ...rest }) => ({
    ...rest,
    embeddings: embeddingMatrix(embeddings.data, embeddings.dim),
  }));

const ClassMetricsSchema = z
  .object({
    label: z.number().int(),
    /** Scored test queries of this class. */
    queries: z.number().int().nonnegative(),
    /** Same-class items each query could find (R); optional. */
    relevant: z.number().int().nonnegative().optional(),
    scores: MetricsSchema,
  })
  .strict();

const OperatingPointSchema = z.object({ threshold: z.number(), far: z.number(), tar: z.number() }).strict();
const TarAtFarSchema = OperatingPointSchema.extend({ targetFar: z.number() }).strict();

/**
 * Verification of same/different pairs (trainer/pipeline/verification-eval.ts): the threshold calibrated
 * for a false-accept rate, the test figures, score histograms of both kinds of pair and the test ROC.
 */
const VerificationSchema = z
  .object({
    calibratedOn: z.string(),
    targetFar: z.number(),
    calibration: TarAtFarSchema,
    test: z
      .object({
        genuine: z.number().int().positive(),
        impostors: z.number().int().positive(),
        eer: z.object({ rate: z.number(), threshold: z.number() }).strict(),
        tarAtFar: z.array(TarAtFarSchema),
        atThreshold: OperatingPointSchema,
      })
      .strict(),
    histograms: z
      .object({
        genuine: z.array(z.number().int().nonnegative()),
        impostors: z.array(z.number().int().nonnegative()),
        low: z.number(),
        high: z.number(),
      })
      .strict(),
    roc: z.array(OperatingPointSchema),
  })
  .strict();

/**
 * Everything a run's report shows. It is the output of training plus evaluation; the report computes the
 * 2-D maps and neighbour examples itself from `test`.
 */
export const ReportDataSchema = z
  .object({
    title: z.string().min(1),
    runId: z.string().min(1),
    createdAt: z.iso.datetime().optional(),
    /** The run's configuration, shown as JSON. */
    config: z.json(),
    curves: z
      .object({
        loss: CurveSchema.default([]),
        /** Validation metric name to its values over training steps. */
        validation: z.record(z.string(), CurveSchema).default({}),
      })
      .strict()
      .prefault({}),
    test: TestSetSchema,
    /** Label (as a string key) to a readable class name; labels without one show as numbers. */
    classNames: z.record(z.string(), z.string()).default({}),
    metrics: z
      .object({
        overall: MetricsSchema,
        perClass: z.array(ClassMetricsSchema).default([]),
        /** The per-class metric that ranks classes and marks the worst ones. */
        primary: z.string().default('mean_average_precision_at_r'),
      })
      .strict(),
    /** Reference points (e.g. the untrained encoder, a bag-of-words model), each a set of overall metrics. */
    baselines: z.array(z.object({ name: z.string().min(1), metrics: MetricsSchema }).strict()).default([]),
    /** The same metrics for the fp32 and the int8 ONNX model. */
    quantization: z.object({ fp32: MetricsSchema, int8: MetricsSchema }).strict().optional(),
    verification: VerificationSchema.optional(),
    /** Queries with the answer each should find among the top k (a served-model regression check). */
    queryChecks: z
      .object({
        k: z.number().int().positive(),
        source: z.string(),
        results: z.array(
          z
            .object({
              query: z.string(),
              expect: z.string(),
              rank: z.number().int().positive().nullable(),
              pass: z.boolean(),
            })
            .strict(),
        ),
      })
      .strict()
      .optional(),
    options: z
      .object({
        /** Above this many test items, the maps show a seeded sample of this many (exact t-SNE is O(n^2)). */
        maxMapPoints: z.number().int().min(10).default(2000),
        seed: z.number().int().default(0),
        neighbourExamples: z.number().int().nonnegative().default(6),
        neighboursPerExample: z.number().int().positive().default(5),
        worstClasses: z.number().int().nonnegative().default(5),
        distance: KnnDistanceSchema.default('cosine'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ReportDataInput = z.input<typeof ReportDataSchema>;
export type ReportData = z.output<typeof ReportDataSchema>;

/** Parses report data (from code or from a JSON file) and reports every problem with its path. */
export function parseReportData(input: unknown): ReportData {
  return parseOrThrow(ReportDataSchema, input, 'invalid report data');
}

/** JSON for a run folder, from which parseReportData rebuilds the report (typed arrays become arrays). */
export function reportDataToJson(input: ReportDataInput): string {
  return JSON.stringify(input, (_, value) =>
    value instanceof Float32Array || value instanceof Int32Array ? Array.from(value) : value,
  );
}
