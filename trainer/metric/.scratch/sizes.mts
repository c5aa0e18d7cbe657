import { randomBatch } from '../testing/data.ts';
import { tripletMarginMinerRef, batchEasyHardMinerRef, multiSimilarityMinerRef, pairMarginMinerRef } from '../testing/reference/miners.ts';
const inputs = [randomBatch(10, 4, 3, 21), randomBatch(12, 5, 4, 22, true)];
for (const input of inputs) for (const distance of [{ name: 'lp' as const }, { name: 'cosine' as const }]) {
  const margin = distance.name === 'lp' ? 0.3 : 0.2;
  console.log(distance.name, ['all','hard','semihard','easy'].map((type) => tripletMarginMinerRef(input, { margin, type, distance }).length).join(' '),
   [['easy','semihard'],['semihard','hard'],['hard','hard'],['easy','easy'],['all','hard'],['easy','all']].map(([pos,neg]) => { const r = batchEasyHardMinerRef(input, {pos, neg, distance}); return r.pos.length+'/'+r.neg.length; }).join(' '),
   (() => { const r = multiSimilarityMinerRef(input, {epsilon: 0.1, distance}); return r.pos.length+'/'+r.neg.length; })(),
   (() => { const r = pairMarginMinerRef(input, distance.name === 'lp' ? { pos_margin: 0.8, neg_margin: 1.2, distance } : { pos_margin: 0.5, neg_margin: 0.1, distance }); return r.pos.length+'/'+r.neg.length; })());
}
