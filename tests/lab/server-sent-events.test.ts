// Reading a node's server-sent events (eventsource-parser): each event's data and id once it is
// complete, whatever the chunking, with CRLF line ends and multi-line data as the SSE format allows.
import { describe, expect, it } from 'vitest';
import { serverSentEvents } from '../../server/lab/live/server-sent-events.ts';

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
  for await (const ev of serverSentEvents(streamOf(chunks))) got.push(ev.data);
  return got;
}

describe('serverSentEvents', () => {
  it('yields each event with its id (for Last-Event-ID), skipping comments', async () => {
    const got = [];
    for await (const ev of serverSentEvents(
      streamOf(['id: k3-1\ndata: {"seq":1}\n\n: keep-alive\n\nid: k3-2\ndata: {"seq":2}\n\n']),
    )) {
      got.push([ev.id, ev.data]);
    }
    expect(got).toEqual([
      ['k3-1', '{"seq":1}'],
      ['k3-2', '{"seq":2}'],
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
