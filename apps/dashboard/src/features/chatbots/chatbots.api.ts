import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { Body, Ok } from '../../api/types';

export type Chatbot = Ok<'/api/v1/orgs/{orgId}/chatbots/{botId}', 'get'>;
export type ChatbotPatch = Body<'/api/v1/orgs/{orgId}/chatbots/{botId}', 'patch'>;
export type ChatbotKey = Ok<'/api/v1/orgs/{orgId}/chatbots/{botId}/keys', 'get'>['data'][number];
export type CatalogueModel = Ok<'/api/v1/orgs/{orgId}/models', 'get'>['data'][number];
export type EmbedInfo = Ok<'/api/v1/orgs/{orgId}/chatbots/{botId}/embed', 'get'>;

/**
 * Query keys of this feature. Everything about one chatbot sits under ['chatbots', orgId, botId], so
 * invalidating that prefix refreshes the bot, its keys and its embed settings together.
 */
export const qk = {
  list: (orgId: string) => ['chatbots', orgId, 'list'] as const,
  bot: (orgId: string, botId: string) => ['chatbots', orgId, botId] as const,
  keys: (orgId: string, botId: string) => ['chatbots', orgId, botId, 'keys'] as const,
  embed: (orgId: string, botId: string) => ['chatbots', orgId, botId, 'embed'] as const,
  docCount: (orgId: string, botId: string) => ['chatbots', orgId, botId, 'doc-count'] as const,
  models: (orgId: string) => ['models', orgId] as const,
};

/** One chatbot. Other features (knowledge, chat) may use it too: the shell has it cached already. */
export function useChatbot(orgId: string, botId: string) {
  return useQuery({
    queryKey: qk.bot(orgId, botId),
    queryFn: () =>
      call(api.GET('/api/v1/orgs/{orgId}/chatbots/{botId}', { params: { path: { orgId, botId } } })),
    enabled: Boolean(orgId && botId),
  });
}

/** A bad or foreign chatbot id: the server answers 404 (or 400 for an id that is not a bot id at all). */
export function isMissing(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 400);
}

export function useChatbotList(orgId: string) {
  return useInfiniteQuery({
    queryKey: qk.list(orgId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/orgs/{orgId}/chatbots', {
          params: { path: { orgId }, query: { limit: 50, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useChatbotKeys(orgId: string, botId: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: qk.keys(orgId, botId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/orgs/{orgId}/chatbots/{botId}/keys', {
          params: { path: { orgId, botId }, query: { limit: 100, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

export function useModels(orgId: string, enabled: boolean) {
  return useQuery({
    queryKey: qk.models(orgId),
    queryFn: () => call(api.GET('/api/v1/orgs/{orgId}/models', { params: { path: { orgId } } })),
    enabled,
    staleTime: 60_000,
  });
}

const DOC_COUNT_PAGE = 100;

/** Documents of a bot, counted from one page (the API has no count): "100+" beyond that. */
export function useDocumentCount(orgId: string, botId: string) {
  return useQuery({
    queryKey: qk.docCount(orgId, botId),
    queryFn: async () => {
      const page = await call(
        api.GET('/api/v1/orgs/{orgId}/chatbots/{botId}/documents', {
          params: { path: { orgId, botId }, query: { limit: DOC_COUNT_PAGE } },
        }),
      );
      return { count: page.data.length, more: page.nextCursor !== null };
    },
    staleTime: 30_000,
  });
}

/** The host:port pattern the server matches allowed domains against (see guests.service originAllowed). */
export function originAllowed(origin: string, allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  const hostname = host.replace(/:\d+$/, '');
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    const target = p.includes(':') ? host : hostname;
    if (p.startsWith('*.')) return target.endsWith(p.slice(1)) && target.length > p.length - 1;
    return target === p;
  });
}

/** The server's rule for an allowed domain: example.com, *.example.com or localhost:3000. */
export const DOMAIN_RE = /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i;
