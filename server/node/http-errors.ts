// Every error a client sees is JSON naming what was wrong and what to do about it.

import type { Response } from 'express';
import type { ErrorBody } from '../contract/errors.ts';

export function sendError(
  res: Response,
  status: number,
  error: string,
  detail: string,
  extra: object = {},
): void {
  if (res.headersSent) return;
  const body: ErrorBody = { error, detail };
  res.status(status).json({ ...body, ...extra });
}
