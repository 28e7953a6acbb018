/** The payload the crash writer appends for (writer, counter), so the crash test can check every byte it reads back. */
export function crashPayload(writer: string, counter: number, length: number): Buffer {
  return Buffer.alloc(length, `${writer}:${counter};`);
}

/** Deterministic record length in [0, 3000) for (writer, counter). */
export function crashLength(writerIndex: number, counter: number): number {
  return ((writerIndex + 1) * 7919 * (counter + 3)) % 3000;
}
