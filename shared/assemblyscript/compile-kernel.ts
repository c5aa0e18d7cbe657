import asc from 'assemblyscript/asc';

/**
 * The flags every WebAssembly kernel of ours is compiled with (AssemblyScript, a devDependency; the
 * .wasm files are committed, since nothing compiles at run time). Fixed here, so that a rebuild gives
 * the committed bytes (each kernel has a test that checks it).
 */
const FLAGS = [
  '--optimizeLevel',
  '3',
  '--shrinkLevel',
  '0',
  // No bounds-check traps, no abort import: the host checks every pointer and length it passes.
  '--noAssert',
  '--use',
  'abort=',
  // The kernel allocates nothing: the host lays out its memory (or lends its own) and the kernel imports it.
  '--runtime',
  'stub',
  '--importMemory',
  '--enable',
  'simd',
];

/** The bytes `source` compiles to today. */
export async function compileKernel(source: string, outFile: string): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  const errors: string[] = [];
  const { error } = await asc.main([source, '--outFile', outFile, ...FLAGS], {
    writeFile(name, contents) {
      if (name.endsWith('.wasm')) binary = contents as Uint8Array;
    },
    stderr: { write: (text: string) => errors.push(text) },
  });
  if (error || !binary) throw new Error(`asc failed: ${error?.message ?? ''}\n${errors.join('')}`);
  return binary;
}
