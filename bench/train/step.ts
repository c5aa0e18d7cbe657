/** One training step of one model, ready to run repeatedly on the current tfjs backend. */
export interface TrainStep {
  /** Samples one step consumes (pairs for the text encoder, images for the others). */
  batch: number;
  run(): Promise<void>;
  dispose(): void;
}
