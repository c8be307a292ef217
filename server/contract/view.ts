// What a lesson says the picture shows (docs/lesson-format.md, "What the picture shows"): parts
// shown or hidden, and a node or a held message pointed at. Sent by the lab on the live channel
// when a `cluster` cell runs `show`/`hide`/`highlight`, and with each lesson (its front matter).
import { type Static, Type } from '@sinclair/typebox';
import { NodeId, Nullable, OneOf, Text } from './fields.ts';

/** The parts of the picture a lesson can show or hide. */
export const VIEW_PARTS = ['heartbeats', 'timeline', 'ring'] as const;
export type ViewPart = (typeof VIEW_PARTS)[number];

export const ViewDirectiveSchema = Type.Union([
  Type.Object({ kind: OneOf(['show', 'hide']), part: OneOf(VIEW_PARTS) }),
  /** Both null: nothing is highlighted any more. `message` is a held message's id ("3.17"). */
  Type.Object({
    kind: Type.Literal('highlight'),
    node: Nullable(NodeId(), 'a node id or null'),
    message: Nullable(Text(), 'a message id or null'),
  }),
]);
export type ViewDirective = Static<typeof ViewDirectiveSchema>;
