// The field kinds the contract's bodies are made of, each with the words a refusal uses.
import {
  type SchemaOptions,
  type TLiteral,
  type TProperties,
  type TSchema,
  type TUnion,
  Type,
} from '@sinclair/typebox';

/** The largest index accepted: any larger number cannot be represented exactly in JSON/JS. */
export const MAX_INDEX = Number.MAX_SAFE_INTEGER;
/**
 * The largest term a body may carry: any larger number cannot be represented exactly. A node
 * itself never gets near it: it ignores a message more than MAX_TERM_LEAD above its own term
 * (server/raft/message-checks.ts), so terms grow by elections, not by one hand-made request.
 */
export const MAX_TERM = Number.MAX_SAFE_INTEGER;
/** Client and request ids (dissertation §6.3) are kept per entry: keep them short. */
export const MAX_CLIENT_ID_CHARS = 200;

/** A log index or count: 0 = nothing (indexes are 1-based). */
export const Index = (o: SchemaOptions = {}) =>
  Type.Integer({ minimum: 0, maximum: MAX_INDEX, expected: 'a non-negative integer (at most 2^53-1)', ...o });

/** A term (Figure 2): 0 before the first election. */
export const Term = (o: SchemaOptions = {}) =>
  Type.Integer({ minimum: 0, maximum: MAX_TERM, expected: 'a non-negative integer (at most 2^53-1)', ...o });

/** A node id; the seed's ids are numbers, so an integer is read as its decimal text. */
export const NodeIdField = (o: SchemaOptions = {}) =>
  Type.Union(
    [Type.String({ minLength: 1, maxLength: 64 }), Type.Integer({ minimum: 0, maximum: MAX_INDEX })],
    {
      expected: 'a node id such as "2"',
      ...o,
    },
  );

/** A node id as this project's own processes send it: always text. */
export const NodeId = (o: SchemaOptions = {}) =>
  Type.String({ minLength: 1, maxLength: 64, expected: 'a node id such as "2"', ...o });

/**
 * Dissertation §6.3's client_id (the index of the client's `register` entry) and request_id
 * (its sequence number: 1, 2, 3, …): a positive integer, as a JSON number or its decimal digits.
 */
export const SessionNumber = (what: string, o: SchemaOptions = {}) =>
  Type.Union(
    [Type.Integer({ minimum: 1, maximum: MAX_INDEX }), Type.String({ pattern: '^[1-9][0-9]{0,15}$' })],
    { expected: `a positive integer, ${what}`, ...o },
  );

/** A client key as stored in an entry: always text. */
export const ClientKeyText = (o: SchemaOptions = {}) =>
  Type.String({
    minLength: 1,
    maxLength: MAX_CLIENT_ID_CHARS,
    expected: `a non-empty string of at most ${MAX_CLIENT_ID_CHARS} characters`,
    ...o,
  });

export const Flag = (expected = 'true or false') => Type.Boolean({ expected });

export const Text = (expected = 'a string', o: SchemaOptions = {}) => Type.String({ expected, ...o });

/** Epoch milliseconds or a duration in ms. */
export const Millis = () => Type.Number({ minimum: 0, expected: 'a number of milliseconds' });

/** One of a fixed list of words; the type is the union of the words. */
export function OneOf<const T extends string>(
  words: readonly T[],
  o: SchemaOptions = {},
): TUnion<TLiteral<T>[]> {
  return Type.Union(
    words.map((w) => Type.Literal(w)),
    {
      expected: words
        .map((w) => JSON.stringify(w))
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1'),
      ...o,
    },
  );
}

/** A request body: every property named is required unless marked Optional, and no others. */
export function Body<T extends TProperties>(title: string, properties: T) {
  return Type.Object(properties, { title, additionalProperties: false });
}

/** A value that may be null (e.g. `voted_for` before any vote). */
export const Nullable = <T extends TSchema>(schema: T, expected: string) =>
  Type.Union([schema, Type.Null()], { expected });
