import { ApiError } from './errors.ts';
import type { RequestInput } from './image/request-inputs.ts';
import type { LoadedModel } from './ports.ts';
import { inputKindOf } from './resolve.ts';

/**
 * A 400 naming the first input the model cannot take, by its place in the request (`pathOf`): for inputs
 * nested in pairs or examples, where embedRequestInputs' flat index would not say which field it was.
 */
export function requireInputKind(
  model: LoadedModel,
  inputs: readonly RequestInput[],
  pathOf: (index: number) => string,
): void {
  const wanted = model.manifest.input.kind;
  const offending = inputs.findIndex((input) => inputKindOf(input) !== wanted);
  if (offending >= 0) {
    throw new ApiError(
      400,
      'invalid_request',
      `${pathOf(offending)}: model "${model.manifest.name}" takes ${wanted === 'text' ? 'texts' : 'images'} only`,
    );
  }
}
