/** Evaluation: retrieval, clustering, correlation, pair, verification and recommendation metrics, and the protocol. */
export { type ClusteringMetrics, clusteringMetrics } from './clustering.ts';
export { pearson, spearman } from './correlation.ts';
export { type KMeansOptions, type KMeansResult, kMeans } from './kmeans.ts';
export { type KnnDistance, KnnDistanceSchema, type KnnOptions, type KnnResult, knn } from './knn.ts';
export {
  type EmbeddingMatrix,
  embeddingMatrix,
  matrixFromRows,
  rowOf,
  selectRows,
} from './matrix.ts';
export { ami, expectedMutualInformation, nmi } from './mutual-info.ts';
export {
  averagePrecision,
  bestAccuracyThreshold,
  bestF1Threshold,
  nextUp,
  type PairMatches,
  type PairMetrics,
  pairMetrics,
  rocAuc,
  type ThresholdChoice,
  thresholdForPrecision,
} from './pairs.ts';
export {
  type ClassDisjointOptions,
  type ClassDisjointPlan,
  type ClassDisjointRun,
  classDisjointFolds,
  itemsOfClasses,
  type MeanWithCI,
  meanWithCI95,
  summariseRuns,
} from './protocol.ts';
export { averageRanks } from './ranks.ts';
export {
  type RecommendationInput,
  type RecommendationMetrics,
  recommendationMetrics,
  type UserCase,
} from './recommendation.ts';
export {
  type ClassRetrievalScores,
  PML_METRICS,
  type RetrievalInput,
  type RetrievalMetrics,
  type RetrievalOptions,
  type RetrievalScores,
  retrievalMetrics,
} from './retrieval.ts';
export { studentTCritical } from './student-t.ts';
export {
  DEFAULT_TARGET_FARS,
  DEFAULT_VERIFICATION_FAR,
  equalErrorRate,
  type OperatingPoint,
  operatingPoint,
  type RocCurve,
  rocCurve,
  rocForDrawing,
  scoreHistogram,
  type TarAtFar,
  tarAtFar,
  type VerificationMetrics,
  verificationMetrics,
} from './verification.ts';
