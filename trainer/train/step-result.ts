/** What one optimisation step reports, whatever the task. */
export interface StepResult {
  loss: number;
  /** False when the loss or a gradient was NaN or infinite; the weights were then left untouched. */
  finite: boolean;
  /** What the loss and its miner recorded (tuple counts, non-zero terms, mean distances). */
  stats?: Readonly<Record<string, number>>;
}
