import { randomBatch } from '../testing/data.ts';
import { refDistance } from '../testing/reference/math.ts';
const input = randomBatch(10, 4, 3, 21);
const d = refDistance({ name: 'lp' });
console.log(input.labels.join(','));
for (let a = 0; a < 10; a++) {
  const ds = input.E.map((e, j) => [j, d.between(input.E[a], e), input.labels[j]]).filter(([j]) => j !== a).sort((x, y) => (x[1] as number) - (y[1] as number));
  console.log(a, input.labels[a], ds.slice(0, 3).map((x) => `${x[0]}:${(x[1] as number).toFixed(2)}:${x[2]}`).join(' '));
}
