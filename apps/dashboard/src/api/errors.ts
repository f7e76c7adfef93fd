/** Every API failure as one error type: the server's `{error:{code,message,requestId}}` plus the status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  return fromBody(res.status, body);
}

export function fromBody(status: number, body: unknown): ApiError {
  const e = (body as { error?: { code?: string; message?: string; requestId?: string; details?: unknown } })
    ?.error;
  if (e?.code) return new ApiError(status, e.code, e.message ?? e.code, e.requestId, e.details);
  return new ApiError(status, status === 0 ? 'network_error' : 'http_error', `HTTP ${status}`);
}
