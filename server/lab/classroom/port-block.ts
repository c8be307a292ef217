// The ports of one member's cluster: slot n uses basePort + 5·n … + 4 (classroom-main.ts's
// --base-port), whatever runs the nodes (local processes, a compose project, a swarm stack).

/** `size` consecutive ports for `slot`; throws, saying what to change, when they pass 65535. */
export function portBlock(basePort: number, slot: number, size = 5): number[] {
  const first = basePort + slot * size;
  if (first + size - 1 > 65535)
    throw new Error(
      `no ports left for another cluster above ${first}: start the lab with a lower --base-port`,
    );
  return Array.from({ length: size }, (_, i) => first + i);
}
