// Every error a client sees is JSON naming what was wrong and what to do about it.

import type { Response } from 'express';

export function sendError(
  res: Response,
  status: number,
  error: string,
  detail: string,
  extra: object = {},
): void {
  if (res.headersSent) return;
  res.status(status).json({ error, detail, ...extra });
}
