import { z } from 'zod';
const A = z.object({ name: z.literal('a'), x: z.number().positive().default(1) }).strict();
const B = z.object({ name: z.literal('b'), y: z.enum(['p', 'q']).default('p') }).strict();
const U = z.discriminatedUnion('name', [A, B]);
const Outer = z.object({ inner: U.optional(), k: z.number().default(2) }).strict();
for (const v of [{ name: 'c' }, { name: 'a', x: -1 }, { name: 'a', z: 1 }, { name: 'b', y: 'r' }]) {
  const r = U.safeParse(v);
  console.log(JSON.stringify(r.error?.issues));
}
console.log(JSON.stringify(Outer.safeParse({ inner: { name: 'zz' } }).error?.issues));
console.log(Object.keys(A.shape));
console.log(U.options.map((o) => o.shape.name.value));
type I = z.input<typeof Outer>;
const i: I = {};
console.log(i, Outer.parse({}));
