import { z } from 'zod';

/**
 * Adam over plain Float32Array parameters, dense or by rows. Row updates are "lazy" (as TensorFlow's
 * LazyAdam): only the table rows a batch touched move, and only their moments decay. That turns the
 * embedding table's update from O(buckets x dim) into O(touched rows x dim) per step.
 */
export const AdamConfigSchema = z
  .object({
    learningRate: z.number().positive().default(0.002),
    beta1: z.number().min(0).max(1).default(0.9),
    beta2: z.number().min(0).max(1).default(0.999),
    epsilon: z.number().positive().default(1e-8),
  })
  .strict();
export type AdamConfig = z.infer<typeof AdamConfigSchema>;

export interface AdamSlots {
  m: Float32Array;
  v: Float32Array;
}

export interface AdamState {
  /** Number of steps taken; bias correction uses it for dense and row updates alike. */
  step: number;
  slots: Record<string, AdamSlots>;
}

export function createAdamState(params: Record<string, Float32Array>): AdamState {
  const slots: Record<string, AdamSlots> = {};
  for (const [name, value] of Object.entries(params)) {
    slots[name] = { m: new Float32Array(value.length), v: new Float32Array(value.length) };
  }
  return { step: 0, slots };
}

/** Advances the step counter; call once per optimisation step before the updates. */
export function beginStep(state: AdamState): void {
  state.step += 1;
}

/** Adam on `count` consecutive elements: param[at + i] with grad[from + i]. */
function update(
  param: Float32Array,
  grad: Float32Array,
  { m, v }: AdamSlots,
  at: number,
  from: number,
  count: number,
  config: AdamConfig,
  stepSize: number,
): void {
  const { beta1, beta2, epsilon } = config;
  for (let i = 0; i < count; i++) {
    const j = at + i;
    const g = grad[from + i];
    m[j] = beta1 * m[j] + (1 - beta1) * g;
    v[j] = beta2 * v[j] + (1 - beta2) * g * g;
    param[j] -= (stepSize * m[j]) / (Math.sqrt(v[j]) + epsilon);
  }
}

/** The learning rate with both bias corrections folded in (Kingma & Ba, end of section 2). */
function stepSizeOf(config: AdamConfig, step: number): number {
  return (config.learningRate * Math.sqrt(1 - config.beta2 ** step)) / (1 - config.beta1 ** step);
}

export function applyDense(
  state: AdamState,
  name: string,
  param: Float32Array,
  grad: Float32Array,
  config: AdamConfig,
): void {
  update(param, grad, state.slots[name], 0, 0, grad.length, config, stepSizeOf(config, state.step));
}

/** Updates rows `rowIds[r]` of a [rows, dim] parameter with gradient rows `grad[r]` ([rowIds.length, dim]). */
export function applyRows(
  state: AdamState,
  name: string,
  param: Float32Array,
  rowIds: Int32Array,
  grad: Float32Array,
  dim: number,
  config: AdamConfig,
): void {
  const slots = state.slots[name];
  const stepSize = stepSizeOf(config, state.step);
  for (let r = 0; r < rowIds.length; r++)
    update(param, grad, slots, rowIds[r] * dim, r * dim, dim, config, stepSize);
}

/**
 * Adam on one log-scale per row instead of the row's elements: row r = exp(t_r) x its initial direction,
 * so dL/dt_r = grad_r . row_r, and the update multiplies the row by exp(-Δt_r). Each touched row keeps
 * its direction and learns only its length: a learned per-feature weight, already folded into the row.
 * The moments of t live in `state.slots[name]` (one entry per row; see addRowScaleSlots).
 */
export function applyRowScales(
  state: AdamState,
  name: string,
  param: Float32Array,
  rowIds: Int32Array,
  grad: Float32Array,
  dim: number,
  config: AdamConfig,
): void {
  const slots = state.slots[name];
  const stepSize = stepSizeOf(config, state.step);
  const logScale = new Float32Array(1);
  const scaleGrad = new Float32Array(1);
  for (let r = 0; r < rowIds.length; r++) {
    const at = rowIds[r] * dim;
    let g = 0;
    for (let k = 0; k < dim; k++) g += grad[r * dim + k] * param[at + k];
    scaleGrad[0] = g;
    logScale[0] = 0;
    const one = {
      m: slots.m.subarray(rowIds[r], rowIds[r] + 1),
      v: slots.v.subarray(rowIds[r], rowIds[r] + 1),
    };
    update(logScale, scaleGrad, one, 0, 0, 1, config, stepSize);
    const factor = Math.exp(logScale[0]);
    for (let k = 0; k < dim; k++) param[at + k] *= factor;
  }
}

/** Moments for applyRowScales: one pair per row, saved and restored with the other slots. */
export function addRowScaleSlots(state: AdamState, name: string, rows: number): void {
  state.slots[name] = { m: new Float32Array(rows), v: new Float32Array(rows) };
}

/**
 * A model's checkpoint of its parameters and their Adam state, in the form the training loop saves
 * (`LoopModel.snapshot` / `restore`): every parameter by name, its two moments, and the step counter.
 */
export function adamCheckpoint(params: Record<string, Float32Array>, adam: AdamState) {
  return {
    snapshot(): { arrays: Record<string, Float32Array>; extra: Record<string, number> } {
      const arrays: Record<string, Float32Array> = { ...params };
      for (const [name, slot] of Object.entries(adam.slots)) {
        arrays[`adam.${name}.m`] = slot.m;
        arrays[`adam.${name}.v`] = slot.v;
      }
      return { arrays, extra: { adamStep: adam.step } };
    },
    restore(arrays: Record<string, Float32Array>, extra: Record<string, number>): void {
      for (const [name, value] of Object.entries(params)) value.set(arrays[name]);
      for (const [name, slot] of Object.entries(adam.slots)) {
        slot.m.set(arrays[`adam.${name}.m`]);
        slot.v.set(arrays[`adam.${name}.v`]);
      }
      adam.step = extra.adamStep ?? 0;
    },
  };
}
