// The part of lzma-native (no bundled types) that codecs.ts uses.
declare module 'lzma-native' {
  export function createCompressor(options?: { preset?: number; threads?: number; check?: string }): NodeJS.ReadWriteStream;
}
