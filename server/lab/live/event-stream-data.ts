// Reads a server-sent events stream (a node's `GET /events`): yields the data of each event as
// the stream delivers it. Only `data:` lines matter to us; `id:` and comments are skipped.
// The format: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

export async function* eventStreamData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  let data: string[] = [];
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl).replace(/\r$/, '');
      pending = pending.slice(nl + 1);
      if (line === '') {
        // A blank line ends an event.
        if (data.length > 0) yield data.join('\n');
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
      nl = pending.indexOf('\n');
    }
  }
}
