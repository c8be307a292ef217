// The web app's security headers. The Content-Security-Policy lets the page run only its own
// scripts (and the pages' inline theme script, web/src/theme-before-paint.js, by its hash),
// talk only to the lab, and never be framed; Monaco's editor worker is a same-origin file, and
// its styles are inline.

import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';

/** The sha256 CSP sources of every inline <script> (one without `src`) in `html`. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    hashes.push(`'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
  }
  return hashes;
}

/** The policy for the built web app whose pages' HTML is `indexHtml`. */
export function contentSecurityPolicy(indexHtml: string): string {
  return [
    "default-src 'self'",
    // The pages share their inline script (one source): each hash once.
    `script-src 'self' ${[...new Set(inlineScriptHashes(indexHtml))].join(' ')}`.trim(),
    // Monaco and Lit set styles from script (style attributes and <style> elements).
    "style-src 'self' 'unsafe-inline'",
    "worker-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Sets the headers on every answer. `csp` is null with --dev (Vite's dev server injects inline
 * scripts of its own).
 */
export function securityHeaders(csp: string | null): RequestHandler {
  return (_req, res, next) => {
    if (csp) res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    next();
  };
}
