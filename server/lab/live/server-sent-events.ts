// Reads a server-sent events stream (a node's `GET /events`) with eventsource-parser: yields
// each event with its id, so a reader can reconnect with Last-Event-ID and miss nothing.
// The format: https://html.spec.whatwg.org/multipage/server-sent-events.html
import { type EventSourceMessage, EventSourceParserStream } from 'eventsource-parser/stream';

export type { EventSourceMessage };

export async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<EventSourceMessage> {
  const text = body.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>);
  const events = text.pipeThrough(new EventSourceParserStream());
  yield* events as unknown as AsyncIterable<EventSourceMessage>;
}
