import { clusteredBatch } from '../testing/data.ts';
import { batchEasyHardMinerRef, tripletMarginMinerRef } from '../testing/reference/miners.ts';
const input = clusteredBatch(12, 4, 3, 25, 0.5);
for (const distance of [{ name: 'lp' as const }, { name: 'cosine' as const }]) {
  const margin = distance.name === 'lp' ? 0.3 : 0.2;
  console.log(distance.name, ['all','hard','semihard','easy'].map((type) => tripletMarginMinerRef(input, { margin, type, distance }).length).join(' '),
   [['easy','semihard'],['semihard','hard'],['hard','hard'],['easy','easy'],['all','hard'],['easy','all']].map(([pos,neg]) => { const r = batchEasyHardMinerRef(input, {pos, neg, distance}); return r.pos.length+'/'+r.neg.length; }).join(' '));
}
