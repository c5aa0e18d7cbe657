import { z } from 'zod';
import { OnnxValidationSchema } from './onnx-check.ts';

/** One value per exported precision (fp32 and int8 ONNX files). */
export function perPrecision<S extends z.ZodType>(schema: S) {
  return z.object({ fp32: schema, int8: schema });
}

/** What every task's export stage records in the run's export.json (a task adds its own fields). */
export const ExportedOnnxSchema = z.object({
  files: perPrecision(z.object({ path: z.string(), bytes: z.number().int().nonnegative() })),
  /** What validated the files besides onnxruntime and the parity check (see export/onnx-check.ts). */
  validatedBy: OnnxValidationSchema,
  int8SizeRatio: z.number().positive(),
});
