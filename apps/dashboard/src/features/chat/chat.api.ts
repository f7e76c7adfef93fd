import { useInfiniteQuery, useQuery, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { Body, Ok } from '../../api/types';

const CONVS = '/api/v1/orgs/{orgId}/chatbots/{botId}/conversations' as const;
const CONV = '/api/v1/orgs/{orgId}/chatbots/{botId}/conversations/{convId}' as const;
const MSGS = '/api/v1/orgs/{orgId}/chatbots/{botId}/conversations/{convId}/messages' as const;
const TRACES =
  '/api/v1/orgs/{orgId}/chatbots/{botId}/conversations/{convId}/messages/{msgId}/traces' as const;

export type Conversation = Ok<typeof CONV, 'get'>;
export type ConversationPage = Ok<typeof CONVS, 'get'>;
export type Message = Ok<typeof MSGS, 'get'>['data'][number];
export type MessagePage = Ok<typeof MSGS, 'get'>;
export type Citation = Message['citations'][number];
export type Usage = NonNullable<Message['usage']>;
export type Mode = Message['mode'];
export type TurnResult = Ok<typeof MSGS, 'post'>;
export type SendBody = Body<typeof MSGS, 'post'>;
export type ImageAttachment = NonNullable<SendBody['images']>[number];
export type Trace = Ok<typeof TRACES, 'get'>['data'][number];

export const MODES: readonly Mode[] = ['chat', 'code', 'debug', 'explain', 'optimize'];

/** Where one chatbot's playground lives: every query key of this feature starts with it. */
export interface BotRef {
  orgId: string;
  botId: string;
}

export const chatKeys = {
  all: (b: BotRef) => ['chat', b.orgId, b.botId] as const,
  convs: (b: BotRef, q: string) => ['chat', b.orgId, b.botId, 'convs', q] as const,
  convsAll: (b: BotRef) => ['chat', b.orgId, b.botId, 'convs'] as const,
  conv: (b: BotRef, convId: string) => ['chat', b.orgId, b.botId, 'conv', convId] as const,
  msgs: (b: BotRef, convId: string) => ['chat', b.orgId, b.botId, 'msgs', convId] as const,
  traces: (b: BotRef, msgId: string) => ['chat', b.orgId, b.botId, 'traces', msgId] as const,
  docs: (b: BotRef) => ['chat', b.orgId, b.botId, 'has-documents'] as const,
};

const CONV_PAGE = 30;
/** Messages per history page: long conversations load their older turns on demand. */
export const MSG_PAGE = 30;

/** The signed-in user's conversations with this bot, newest first, filtered by `q` (titles and text). */
export function useConversations(b: BotRef, q: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: chatKeys.convs(b, q),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET(CONVS, {
          params: {
            path: b,
            query: { limit: CONV_PAGE, cursor: pageParam, q: q || undefined },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

export function useConversation(b: BotRef, convId: string | undefined) {
  return useQuery({
    queryKey: chatKeys.conv(b, convId ?? ''),
    queryFn: () => call(api.GET(CONV, { params: { path: { ...b, convId: convId! } } })),
    enabled: Boolean(convId),
  });
}

const isStreaming = (d: InfiniteData<MessagePage> | undefined) =>
  Boolean(d?.pages.some((p) => p.data.some((m) => m.status === 'streaming')));

/**
 * History of one conversation, newest page first (each page newest first); "load earlier" fetches older pages.
 * The cache is written directly when a streamed turn ends, so it never refetches on its own; an answer still
 * being written on the server (after Stop) is polled until it is stored.
 */
export function useMessages(b: BotRef, convId: string | undefined) {
  return useInfiniteQuery({
    queryKey: chatKeys.msgs(b, convId ?? ''),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET(MSGS, {
          params: { path: { ...b, convId: convId! }, query: { limit: MSG_PAGE, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: Boolean(convId),
    staleTime: Infinity,
    refetchInterval: (query) => (isStreaming(query.state.data) ? 1500 : false),
  });
}

/** Oldest first, for display. */
export function chronological(d: InfiniteData<MessagePage> | undefined): Message[] {
  if (!d) return [];
  return d.pages.flatMap((p) => p.data).reverse();
}

/** A brand-new conversation has no history: seed its cache so the thread does not fetch mid-stream. */
export function seedEmptyHistory(qc: QueryClient, b: BotRef, convId: string) {
  const empty: InfiniteData<MessagePage, string | undefined> = {
    pages: [{ data: [], nextCursor: null }],
    pageParams: [undefined],
  };
  qc.setQueryData(chatKeys.msgs(b, convId), empty);
}

/** Keeps the cached history in step with a rating just saved (the thread may remount before a refetch). */
export function setCachedFeedback(
  qc: QueryClient,
  b: BotRef,
  convId: string,
  msgId: string,
  feedback: { rating: 'up' | 'down'; comment: string | null },
) {
  qc.setQueryData<InfiniteData<MessagePage, string | undefined>>(chatKeys.msgs(b, convId), (d) =>
    d
      ? {
          ...d,
          pages: d.pages.map((p) => ({
            ...p,
            data: p.data.map((m) => (m.id === msgId ? { ...m, feedback } : m)),
          })),
        }
      : d,
  );
}

/** Puts a finished turn at the newest end of the cached history. */
export function appendTurn(qc: QueryClient, b: BotRef, convId: string, turn: TurnResult) {
  qc.setQueryData<InfiniteData<MessagePage, string | undefined>>(chatKeys.msgs(b, convId), (d) => {
    // A new turn is not rated yet.
    const fresh = [turn.message, turn.userMessage].map((m) => ({ ...m, feedback: null }));
    if (!d || d.pages.length === 0)
      return { pages: [{ data: fresh, nextCursor: null }], pageParams: [undefined] };
    const ids = new Set(fresh.map((m) => m.id));
    const [first, ...rest] = d.pages;
    return {
      ...d,
      pages: [{ ...first!, data: [...fresh, ...first!.data.filter((m) => !ids.has(m.id))] }, ...rest],
    };
  });
  qc.setQueryData(chatKeys.conv(b, convId), turn.conversation);
}

export function useTraces(b: BotRef, convId: string, msgId: string, enabled: boolean) {
  return useQuery({
    queryKey: chatKeys.traces(b, msgId),
    queryFn: () => call(api.GET(TRACES, { params: { path: { ...b, convId, msgId } } })),
    enabled,
  });
}

/** Whether the bot has any document: without one, the playground explains where answers come from. */
export function useHasDocuments(b: BotRef, enabled: boolean) {
  return useQuery({
    queryKey: chatKeys.docs(b),
    queryFn: async () => {
      const page = await call(
        api.GET('/api/v1/orgs/{orgId}/chatbots/{botId}/documents', {
          params: { path: b, query: { limit: 1 } },
        }),
      );
      return page.data.length > 0;
    },
    enabled,
    staleTime: 30_000,
  });
}

export function createConversation(b: BotRef, mode: Mode) {
  return call(api.POST(CONVS, { params: { path: b }, body: { mode } }));
}

export function updateConversation(
  b: BotRef,
  convId: string,
  body: Body<typeof CONV, 'patch'>,
): Promise<Conversation> {
  return call(api.PATCH(CONV, { params: { path: { ...b, convId } }, body }));
}

export async function deleteConversation(b: BotRef, convId: string): Promise<void> {
  await call(api.DELETE(CONV, { params: { path: { ...b, convId } } }));
}

export function sendFeedback(
  b: BotRef,
  convId: string,
  msgId: string,
  body: { rating: 'up' | 'down'; comment: string | null },
) {
  return call(
    api.PUT('/api/v1/orgs/{orgId}/chatbots/{botId}/conversations/{convId}/messages/{msgId}/feedback', {
      params: { path: { ...b, convId, msgId } },
      body,
    }),
  );
}

export function saveSnippet(b: BotRef, convId: string, messageId: string, index: number) {
  return call(
    api.POST('/api/v1/orgs/{orgId}/snippets/from-message', {
      params: { path: { orgId: b.orgId } },
      body: { chatbotId: b.botId, conversationId: convId, messageId, index },
    }),
  );
}

/** Drops everything cached about a deleted conversation (so nothing refetches a 404). */
export function forgetConversation(qc: QueryClient, b: BotRef, convId: string) {
  qc.removeQueries({ queryKey: chatKeys.msgs(b, convId) });
  qc.removeQueries({ queryKey: chatKeys.conv(b, convId) });
}
