// The body of every refusal, from a node or the lab: a code to branch on and a sentence for
// the person (what was wrong and what to do). Some answers add fields (e.g. `node_id`).
import { type Static, Type } from '@sinclair/typebox';
import { Text } from './fields.ts';

export const ErrorBodySchema = Type.Object({
  error: Text('a short error code such as "bad_request"'),
  detail: Text('a sentence saying what was wrong and what to do'),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;
