// Node has the WebAssembly global, but @types/node 20 does not declare it and TypeScript keeps it in
// lib.dom, which the runner (Node only, no DOM) does not load. The part the XFEL slice kernel uses.
declare namespace WebAssembly {
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  const Memory: { new (descriptor: { initial: number; maximum?: number }): Memory };
  const Module: { new (bytes: BufferSource): Module };
  const Instance: { new (module: Module, imports?: Record<string, Record<string, unknown>>): Instance };
}
