import { z } from 'zod';
function strictConfig<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown parameter ${issue.keys.map((k) => `"${k}"`).join(', ')}; valid parameters: ${Object.keys(shape).join(', ')}`
        : undefined,
  });
}
const A = strictConfig({ name: z.literal('a'), x: z.number().positive().default(1) });
const B = strictConfig({ name: z.literal('b'), y: z.enum(['p', 'q']).default('p'), inner: z.discriminatedUnion('name', [A]).optional() });
const U = z.discriminatedUnion('name', [A, B]);
console.log(JSON.stringify(U.safeParse({ name: 'a', z: 1 }).error?.issues));
console.log(JSON.stringify(U.safeParse({ name: 'b', inner: { name: 'a', w: 2 } }).error?.issues));
console.log(z.prettifyError(U.safeParse({ name: 'b', inner: { name: 'a', w: 2, x: -2 } }).error!));
console.log(U.parse({ name: 'b', inner: { name: 'a' } }));
