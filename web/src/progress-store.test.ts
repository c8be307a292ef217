import { describe, expect, it } from 'vitest';
import { ProgressStore } from './progress-store.ts';

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

describe('progress store', () => {
  it('remembers passed checks per lesson across instances (a reload)', () => {
    const storage = memoryStorage();
    new ProgressStore(storage).record('01-meet', 'c2', true);
    new ProgressStore(storage).record('02-elect', 'c5', true);
    const again = new ProgressStore(storage);
    expect([...again.passed('01-meet')]).toEqual(['c2']);
    expect([...again.passed('02-elect')]).toEqual(['c5']);
  });

  it('takes a tick away when the check fails later, and tells listeners', () => {
    const store = new ProgressStore(memoryStorage());
    let changes = 0;
    store.addEventListener('change', () => changes++);
    store.record('l', 'c1', true);
    store.record('l', 'c1', true);
    store.record('l', 'c1', false);
    expect(store.passed('l').size).toBe(0);
    expect(changes).toBe(2);
  });

  it('treats corrupt stored data as no progress', () => {
    const storage = memoryStorage();
    storage.setItem('raft-lab:progress:l', '{not json');
    expect(new ProgressStore(storage).passed('l').size).toBe(0);
  });
});
