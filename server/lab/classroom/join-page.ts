// The page a learner lands on first: their name and the class's join code. Plain HTML with a
// form (no script), so it works in any browser; the notebook itself is the web app.

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function joinPage(problem = '', name = ''): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Join the class · Raft Lab</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 4rem auto; padding: 0 1rem; color: #1b1f24; }
  h1 { font-size: 1.5rem; }
  label { display: block; margin: 1rem 0 0.3rem; font-weight: 600; }
  input { font: inherit; font-size: 1.1rem; width: 100%; box-sizing: border-box; padding: 0.5rem; border: 1px solid #8a94a0; border-radius: 6px; }
  button { font: inherit; font-size: 1.1rem; margin-top: 1.2rem; padding: 0.5rem 1.2rem; border: 0; border-radius: 6px; background: #0b5cad; color: white; cursor: pointer; }
  .problem { color: #a4161a; background: #fdecec; padding: 0.6rem; border-radius: 6px; }
  p.small { color: #57606a; font-size: 0.9rem; }
</style>
<h1>Join the Raft Lab class</h1>
<p>You get your own five-node Raft cluster and your own copy of the lessons.</p>
${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/join">
  <label for="name">Your name</label>
  <input id="name" name="name" autocomplete="name" required maxlength="40" value="${escapeHtml(name)}" autofocus>
  <label for="code">Join code (on the projector)</label>
  <input id="code" name="code" autocomplete="off" required autocapitalize="characters">
  <button type="submit">Join</button>
</form>
<p class="small">This browser remembers you (a cookie), also after it restarts.</p>
</html>`;
}

/** The instructor's pages without a valid token. */
export const INSTRUCTOR_ONLY_PAGE = `<!doctype html><meta charset="utf-8"><title>Instructor only · Raft Lab</title>
<body style="font-family: system-ui; max-width: 36rem; margin: 4rem auto">
<h1>This page is for the instructor</h1>
<p>Open the link the lab printed when it started (it ends in <code>?token=…</code>); it signs this browser in.</p>
<p>Learners: your notebook is at <a href="/">/</a>.</p></body>`;
