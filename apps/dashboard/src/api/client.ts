import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { getSession, refreshSession } from './session';
import { ApiError, fromBody, toApiError } from './errors';

/**
 * Adds the bearer token; on a 401 refreshes once and retries. Used by the typed client and by raw calls
 * (uploads with progress, SSE) so every request authenticates the same way.
 */
export async function authFetch(input: Request): Promise<Response> {
  const first = input.clone();
  const token = getSession()?.accessToken;
  if (token && !input.headers.has('authorization')) input.headers.set('authorization', `Bearer ${token}`);
  let res: Response;
  try {
    res = await fetch(input);
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached');
  }
  if (res.status !== 401 || !token) return res;
  const fresh = await refreshSession();
  if (!fresh) return res;
  first.headers.set('authorization', `Bearer ${fresh.accessToken}`);
  return fetch(first);
}

/** The typed client: paths, params, bodies and responses come from schema.d.ts (generated from /openapi.json). */
export const api = createClient<paths>({ baseUrl: '', fetch: authFetch });

/** Unwraps an openapi-fetch result: the data, or a thrown ApiError. */
export async function call<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const r = await p;
  if (r.response.ok) return r.data as T;
  throw fromBody(r.response.status, r.error);
}

/** For endpoints outside the JSON shape (streams, downloads): the response, or a thrown ApiError. */
export async function rawFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await authFetch(new Request(path, init));
  if (!res.ok) throw await toApiError(res);
  return res;
}
