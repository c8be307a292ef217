// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpEntryResult as HttpEntry } from '../../../server/contract/lab-api.ts';
import './http-output.ts';
import type { HttpOutput } from './http-output.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

const redirected: HttpEntry = {
  request: {
    method: 'POST',
    url: 'http://127.0.0.1:5002/client_command',
    headers: { 'Content-Type': 'application/json' },
    body: '{"command": "set x=42"}',
  },
  hops: [
    {
      method: 'POST',
      url: 'http://127.0.0.1:5002/client_command',
      status: 307,
      location: 'http://127.0.0.1:5003/client_command',
      durationMs: 4,
    },
  ],
  response: {
    status: 200,
    headers: { 'content-type': 'application/json', 'content-length': '55' },
    body: { success: true, index: 7, term: 3 },
    bodyText: '{"success":true,"index":7,"term":3}',
    truncated: false,
    durationMs: 12.4,
  },
  ok: false,
  error: null,
  attempts: 2,
  asserts: [
    { text: 'jsonpath "$.success" == true', ok: true, actual: true, expected: true, message: null },
    { text: 'jsonpath "$.term" == 4', ok: false, actual: 3, expected: 4, message: null },
  ],
  captures: [{ name: 'idx', value: 7, ok: true }],
};

async function mount(entries: HttpEntry[]): Promise<HttpOutput> {
  const el = document.createElement('http-output');
  el.entries = entries;
  document.body.append(el);
  await el.updateComplete;
  return el;
}

const text = (el: Element | ShadowRoot) => el.textContent!.replace(/\s+/g, ' ');

describe('http output', () => {
  it('shows the error alone when the request could not be built (e.g. an unknown variable)', async () => {
    const unbuilt: HttpEntry = {
      ok: false,
      request: null,
      hops: [],
      response: null,
      attempts: 1,
      asserts: [],
      captures: [],
      error: {
        message: 'unknown variable {{nobody}}',
        hint: 'the variables are node1…node5, leader, follower',
        line: null,
      },
    };
    const el = await mount([unbuilt]);
    const t = text(el.shadowRoot!);
    expect(t).toContain('✗ unknown variable {{nobody}}');
    expect(t).not.toContain('→');
  });

  it('shows the request as sent, each redirect hop, then status, time and attempts', async () => {
    const el = await mount([redirected]);
    const t = text(el.shadowRoot!);
    expect(t).toContain('POST http://127.0.0.1:5002/client_command');
    expect(t).toContain(
      '↪ POST http://127.0.0.1:5002/client_command → 307 Location: http://127.0.0.1:5003/client_command',
    );
    expect(t).toContain('HTTP 200');
    expect(t).toContain('in 12 ms, after 2 attempts');
  });

  it('keeps headers collapsed and shows a JSON body as a tree', async () => {
    const el = await mount([redirected]);
    const headers = [...el.shadowRoot!.querySelectorAll('details')].find((d) =>
      d.textContent!.includes('Headers'),
    )!;
    expect(headers.open).toBe(false);
    expect(text(headers.querySelector('summary')!)).toContain('Headers (2)');
    const tree = el.shadowRoot!.querySelector('json-tree')!;
    expect(tree.value).toEqual({ success: true, index: 7, term: 3 });
  });

  it('marks each assertion and capture with ✓ or ✗ and says what a failed one got', async () => {
    const el = await mount([redirected]);
    const items = [...el.shadowRoot!.querySelectorAll('ul.results li')].map((li) => text(li).trim());
    expect(items[0]).toBe('✓ jsonpath "$.success" == true');
    expect(items[1]).toContain('✗ jsonpath "$.term" == 4');
    expect(items[1]).toContain('expected 4, got 3');
    expect(items[2]).toContain('✓ captured idx = 7');
  });

  it('shows a text body as text and says when a request itself failed', async () => {
    const el = await mount([
      {
        ...redirected,
        hops: [],
        asserts: [],
        captures: [],
        response: null,
        error: {
          message: 'node4 did not answer within 5 s',
          hint: 'Is node4 paused? Resume it in the panel.',
          line: null,
        },
      },
      {
        ...redirected,
        hops: [],
        asserts: [],
        captures: [],
        response: { ...redirected.response!, body: null, bodyText: 'plain' },
      },
    ]);
    const t = text(el.shadowRoot!);
    expect(t).toContain('✗ node4 did not answer within 5 s');
    expect(t).toContain('Resume it in the panel');
    expect(el.shadowRoot!.querySelectorAll('json-tree')).toHaveLength(0);
    expect(t).toContain('plain');
  });
});
