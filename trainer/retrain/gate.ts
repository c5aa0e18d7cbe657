import { z } from 'zod';
import type { Scores } from '../registry/schema.ts';

/**
 * The promotion gate. A candidate is promoted only when
 * - it reaches every floor (an absolute minimum per metric), and
 * - on `metric` it is not worse than the champion by more than `tolerance` (absolute, in the metric's
 *   units): candidate >= champion - tolerance. With no champion, the floors alone decide.
 * Every metric here is higher-is-better (text: the retrieval metrics of trainer/eval/retrieval.ts;
 * recommendation: the ranking metrics of trainer/tasks/recommendation/evaluate.ts). The retrain config supplies the
 * task's default metric (config.ts).
 */
export const GateSchema = z
  .object({
    metric: z.string().min(1),
    tolerance: z.number().min(0).default(0.005),
    floors: z.record(z.string(), z.number()).default({}),
  })
  .strict();
export type Gate = z.infer<typeof GateSchema>;

export interface GateDecision {
  promote: boolean;
  reason: string;
  metric: string;
  candidate: number;
  champion: number | null;
}

export function judge(gate: Gate, candidate: Scores, champion: Scores | undefined): GateDecision {
  const value = (scores: Scores, name: string, whose: string) => {
    const v = scores[name];
    if (v === undefined) {
      throw new Error(
        `the gate needs '${name}' but the ${whose}'s evaluation has ${Object.keys(scores).join(', ')}`,
      );
    }
    return v;
  };
  const mine = value(candidate, gate.metric, 'candidate');
  const theirs = champion ? value(champion, gate.metric, 'champion') : null;
  const decision = (promote: boolean, reason: string): GateDecision => ({
    promote,
    reason,
    metric: gate.metric,
    candidate: mine,
    champion: theirs,
  });

  const belowFloor = Object.entries(gate.floors)
    .filter(([name, floor]) => value(candidate, name, 'candidate') < floor)
    .map(([name, floor]) => `${name} ${fmt(candidate[name])} is below its floor ${fmt(floor)}`);
  if (belowFloor.length > 0) return decision(false, belowFloor.join('; '));

  const floors = Object.keys(gate.floors).length > 0 ? '; every floor met' : '';
  if (theirs === null) return decision(true, `no champion yet: ${gate.metric} ${fmt(mine)}${floors}`);
  const delta = mine - theirs;
  const comparison =
    `${gate.metric} ${fmt(mine)} vs the champion's ${fmt(theirs)} ` +
    `(${delta >= 0 ? '+' : ''}${fmt(delta)}, tolerance ${fmt(gate.tolerance)})`;
  if (mine < theirs - gate.tolerance) return decision(false, `worse than the champion: ${comparison}`);
  return decision(true, `${comparison}${floors}`);
}

function fmt(value: number): string {
  return value.toFixed(4);
}
