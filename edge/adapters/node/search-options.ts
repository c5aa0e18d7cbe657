import { z } from 'zod';

/** How the Node VectorIndex searches (openSqliteVecIndex's options, startNodeServer's `search`). */
export const SearchOptionsSchema = z
  .object({
    /**
     * 'graph': a search without a filter walks the collection's HNSW graph when the index file has one
     * (trainer/index/build-index.ts builds it for collections of 5,000 items or more); filtered searches,
     * small collections and files without a graph are exact. 'exact': vec0 scans every vector, always.
     */
    mode: z.enum(['graph', 'exact']).default('graph'),
    /**
     * Candidates a graph search keeps (raised to k when k is larger): more, better recall, slower. 64 gives
     * recall@10 of about 0.98 against exact search on the WordNet index (docs/benchmarks.md, knn and http).
     */
    ef: z.number().int().min(1).max(4096).default(64),
  })
  .strict();
export type SearchOptions = z.input<typeof SearchOptionsSchema>;
