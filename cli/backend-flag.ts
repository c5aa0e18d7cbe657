import { BACKEND_CHOICES, type BackendChoice } from '../trainer/backend/index.ts';

/** The `--backend` flag's value, checked; undefined when the flag is absent (the config decides). */
export function backendFlag(value: string | boolean | undefined): BackendChoice | undefined {
  if (value === undefined) return undefined;
  const choice = BACKEND_CHOICES.find((c) => c === value);
  if (!choice) throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}; got '${value}'`);
  return choice;
}
