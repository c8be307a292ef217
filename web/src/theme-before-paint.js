// Sets the theme before the first paint so a dark-theme user never sees a white flash. Every
// page gets this one source inline (web/vite.config.ts); the lab's CSP allows it by its hash
// (server/lab/http/security-headers.ts). The key is theme-toggle.ts's, which saves the choice.
try {
  const saved = localStorage.getItem('raft-lab:theme');
  const dark = saved ? saved === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
} catch {
  document.documentElement.dataset.theme = 'light';
}
