/** Every pipeline's stages, in the order they run; each reads what the earlier ones wrote into the run. */
export const STAGES = ['train', 'evaluate', 'export', 'index', 'report', 'publish'] as const;
export type Stage = (typeof STAGES)[number];
