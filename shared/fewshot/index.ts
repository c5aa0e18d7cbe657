/** Few-shot classification on embeddings, shared by the trainer's episodes and the edge's /v1/classify. */
export { type Classification, decide } from './decision.ts';
export { type Neighbour, nearestExamples, voteOfNeighbours } from './knn-vote.ts';
export { byScoreThenLabel, type ClassScore, groupByLabel, type LabelledVector } from './labelled.ts';
export {
  calibrateOpenSet,
  DEFAULT_ACCEPT_RATE,
  type FewShotMethod,
  leaveOneOutScores,
  thresholdFromScores,
} from './open-set.ts';
export { type ClassPrototype, classPrototypes, rankByPrototype, unitMean } from './prototype.ts';
