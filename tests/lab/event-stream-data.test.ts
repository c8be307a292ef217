// Reading a node's server-sent events: each event's data once it is complete, whatever the
// chunking, with CRLF line ends and multi-line data as the SSE format allows.
import { describe, expect, it } from 'vitest';
import { eventStreamData } from '../../server/lab/live/event-stream-data.ts';

function streamOf(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(typeof c === 'string' ? encoder.encode(c) : c);
      controller.close();
    },
  });
}

async function dataOf(chunks: (string | Uint8Array)[]): Promise<string[]> {
  const got: string[] = [];
  for await (const data of eventStreamData(streamOf(chunks))) got.push(data);
  return got;
}

describe('eventStreamData', () => {
  it('yields the data of each event, skipping id lines and comments', async () => {
    expect(await dataOf(['id: 1\ndata: {"seq":1}\n\n: keep-alive\n\nid: 2\ndata: {"seq":2}\n\n'])).toEqual([
      '{"seq":1}',
      '{"seq":2}',
    ]);
  });

  it('joins an event split across chunks, even inside a line or a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('data: {"detail":"é"}\n\n');
    const inE = bytes.indexOf(0xc3) + 1; // between the two bytes of "é"
    expect(await dataOf([bytes.slice(0, 9), bytes.slice(9, inE), bytes.slice(inE)])).toEqual([
      '{"detail":"é"}',
    ]);
  });

  it('accepts CRLF line ends and joins multi-line data with newlines', async () => {
    expect(await dataOf(['data: a\r\ndata:b\r\n\r\n'])).toEqual(['a\nb']);
  });

  it('drops an event the stream cut off before its blank line', async () => {
    expect(await dataOf(['data: 1\n\ndata: 2\n'])).toEqual(['1']);
  });
});
