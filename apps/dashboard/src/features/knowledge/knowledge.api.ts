import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { ApiError, fromBody } from '../../api/errors';
import { getSession, refreshSession } from '../../api/session';
import type { Ok } from '../../api/types';

export type Doc = Ok<'/api/v1/orgs/{orgId}/chatbots/{botId}/documents/{docId}', 'get'>;
export type DocStatus = Doc['status'];
export type Chunk = Ok<
  '/api/v1/orgs/{orgId}/chatbots/{botId}/documents/{docId}/chunks',
  'get'
>['data'][number];
export type Faq = Ok<'/api/v1/orgs/{orgId}/chatbots/{botId}/faqs/{faqId}', 'get'>;
export type FaqImportResult = Ok<'/api/v1/orgs/{orgId}/chatbots/{botId}/faqs/import', 'post'>;
export type SearchResult = Ok<'/api/v1/orgs/{orgId}/chatbots/{botId}/search', 'post'>;
export type SearchMode = SearchResult['mode'];
export type Hit = SearchResult['hits'][number];

export const DOC_STATUSES: DocStatus[] = ['queued', 'parsing', 'chunking', 'embedding', 'indexed', 'failed'];
/** Ingestion has ended one way or the other: nothing will change without a new action. */
export const isSettled = (s: DocStatus) => s === 'indexed' || s === 'failed';

/** Everything of one chatbot's knowledge sits under ['knowledge', orgId, botId]. */
export const kk = {
  all: (orgId: string, botId: string) => ['knowledge', orgId, botId] as const,
  docs: (orgId: string, botId: string) => ['knowledge', orgId, botId, 'documents'] as const,
  docList: (orgId: string, botId: string, filter: { q: string; status: string }) =>
    ['knowledge', orgId, botId, 'documents', 'list', filter] as const,
  doc: (orgId: string, botId: string, docId: string) =>
    ['knowledge', orgId, botId, 'documents', 'one', docId] as const,
  chunks: (orgId: string, botId: string, docId: string, version: number | null) =>
    ['knowledge', orgId, botId, 'documents', 'chunks', docId, version] as const,
  faqs: (orgId: string, botId: string) => ['knowledge', orgId, botId, 'faqs'] as const,
  faqList: (orgId: string, botId: string, filter: { q: string; enabled: string }) =>
    ['knowledge', orgId, botId, 'faqs', 'list', filter] as const,
  search: (orgId: string, botId: string, req: SearchRequest | null) =>
    ['knowledge', orgId, botId, 'search', req] as const,
  /** the chatbots feature shows a document count in its list and header */
  botDocCount: (orgId: string, botId: string) => ['chatbots', orgId, botId, 'doc-count'] as const,
};

/** How often a page re-reads documents while one of them is still being ingested. */
export const LIVE_MS = 1000;

export const docsPath = (orgId: string, botId: string) =>
  `/api/v1/orgs/${encodeURIComponent(orgId)}/chatbots/${encodeURIComponent(botId)}/documents`;

export function useDocumentList(orgId: string, botId: string, filter: { q: string; status: string }) {
  return useInfiniteQuery({
    queryKey: kk.docList(orgId, botId, filter),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/orgs/{orgId}/chatbots/{botId}/documents', {
          params: {
            path: { orgId, botId },
            query: {
              limit: 100,
              cursor: pageParam,
              q: filter.q || undefined,
              status: (filter.status || undefined) as DocStatus | undefined,
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // While a new filter loads, the previous rows stay instead of a spinner flashing on every keystroke.
    placeholderData: keepPreviousData,
    // Live ingestion status: poll while anything listed is still on its way to indexed/failed.
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.data.some((d) => !isSettled(d.status))) ? LIVE_MS : false,
  });
}

export function useDocument(orgId: string, botId: string, docId: string) {
  return useQuery({
    queryKey: kk.doc(orgId, botId, docId),
    queryFn: () =>
      call(
        api.GET('/api/v1/orgs/{orgId}/chatbots/{botId}/documents/{docId}', {
          params: { path: { orgId, botId, docId } },
        }),
      ),
    refetchInterval: (q) => (q.state.data && !isSettled(q.state.data.status) ? LIVE_MS : false),
  });
}

export function useChunks(orgId: string, botId: string, docId: string, version: number | null) {
  return useInfiniteQuery({
    queryKey: kk.chunks(orgId, botId, docId, version),
    initialPageParam: -1,
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/orgs/{orgId}/chatbots/{botId}/documents/{docId}/chunks', {
          params: { path: { orgId, botId, docId }, query: { after: pageParam, limit: 50 } },
        }),
      ),
    getNextPageParam: (last) => last.nextAfter ?? undefined,
  });
}

export function useFaqList(orgId: string, botId: string, filter: { q: string; enabled: string }) {
  return useInfiniteQuery({
    queryKey: kk.faqList(orgId, botId, filter),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/orgs/{orgId}/chatbots/{botId}/faqs', {
          params: {
            path: { orgId, botId },
            query: {
              limit: 100,
              cursor: pageParam,
              q: filter.q || undefined,
              enabled: (filter.enabled || undefined) as 'true' | 'false' | undefined,
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export interface SearchRequest {
  query: string;
  mode: SearchMode;
  topK: number;
  expand: boolean;
}

export function useSearch(orgId: string, botId: string, req: SearchRequest | null) {
  return useQuery({
    queryKey: kk.search(orgId, botId, req),
    queryFn: () =>
      call(
        api.POST('/api/v1/orgs/{orgId}/chatbots/{botId}/search', {
          params: { path: { orgId, botId } },
          body: req!,
        }),
      ),
    enabled: req !== null,
    staleTime: 0,
  });
}

export interface UploadResult {
  document: Doc;
  duplicate: boolean;
}

/**
 * Sends one file as multipart/form-data with upload progress (fetch cannot report it, XMLHttpRequest can).
 * Authenticates like authFetch: the stored access token, and on a 401 one refresh and one retry.
 */
export async function uploadFile(
  url: string,
  method: 'POST' | 'PUT',
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadResult> {
  const token = getSession()?.accessToken;
  let res = await sendForm(url, method, file, token, onProgress, signal);
  if (res.status === 401 && token) {
    const fresh = await refreshSession();
    if (fresh) {
      onProgress(0);
      res = await sendForm(url, method, file, fresh.accessToken, onProgress, signal);
    }
  }
  if (res.status < 200 || res.status >= 300) throw fromBody(res.status, res.body);
  // POST answers {document, duplicate}; PUT (replace) answers the document itself.
  const body = res.body as Partial<UploadResult> & Doc;
  return body.document
    ? { document: body.document, duplicate: Boolean(body.duplicate) }
    : { document: body, duplicate: false };
}

export class UploadAborted extends Error {
  constructor() {
    super('aborted');
    this.name = 'UploadAborted';
  }
}

function sendForm(
  url: string,
  method: 'POST' | 'PUT',
  file: File,
  token: string | undefined,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new UploadAborted());
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'The server could not be reached'));
    xhr.onabort = () => reject(new UploadAborted());
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}
