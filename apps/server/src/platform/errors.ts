import { errorCodes, type ErrorCode } from '@kawan/contracts';

/** The one error type. Services throw it with a stable code; the HTTP layer maps code → status. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
    this.status = errorCodes[code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'Your role does not allow this action') =>
  new AppError('forbidden', message);
