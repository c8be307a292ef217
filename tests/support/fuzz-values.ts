// Values of every JSON kind, for fuzzers that put a wrong type where a field is expected.
import fc from 'fast-check';

/** `numbers` (the fuzzer's own edge numbers), a string of up to `maxLength`, null, a boolean, [], {}. */
export function anyJsonValue(numbers: fc.Arbitrary<unknown>, maxLength: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    numbers,
    fc.string({ maxLength }),
    fc.constant(null),
    fc.boolean(),
    fc.constant([]),
    fc.constant({}),
  );
}
