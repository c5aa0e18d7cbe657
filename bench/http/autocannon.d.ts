/** The slice of autocannon's programmatic API the http section uses (the package ships no types). */
declare module 'autocannon' {
  interface AutocannonRequest {
    method: 'GET' | 'POST';
    path: string;
    headers?: Record<string, string>;
    body?: string;
  }
  interface AutocannonOptions {
    url: string;
    connections: number;
    /** Seconds. */
    duration: number;
    requests: AutocannonRequest[];
  }
  /** Resolves to the results object (validated by the caller, see load.ts). */
  export default function autocannon(options: AutocannonOptions): Promise<unknown>;
}
