// The one way into Monaco: a dynamic import, started after the first paint, shared by
// every cell editor. Until it resolves, cells show a plain text area that already works.
export type MonacoModule = typeof import('./monaco-setup.ts');

let loading: Promise<MonacoModule> | null = null;

export function loadMonaco(): Promise<MonacoModule> {
  loading ??= import('./monaco-setup.ts').catch((err: unknown) => {
    loading = null; // a later cell may try again (e.g. after a flaky reload)
    throw err;
  });
  return loading;
}
