import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useCurrentOrg, useOrgs } from '../../app/orgs';
import { useI18n } from '../../i18n/i18n';
import { Empty, ErrorState, Loading } from '../../ui/states';
import {
  appendTurn,
  chatKeys,
  chronological,
  createConversation,
  seedEmptyHistory,
  updateConversation,
  useConversation,
  useHasDocuments,
  useMessages,
  type BotRef,
  type Mode,
} from './chat.api';
import { Composer, toAttachment, type PickedImage } from './Composer';
import { ConversationList } from './ConversationList';
import { useChatErrorText } from './errors';
import { streamMessage } from './stream';
import { Thread, type LiveTurn } from './Thread';
import './chat.css';

/** The chatbot itself (name for the thread); the same query the chatbot shell runs, so usually cached. */
function useBot(b: BotRef) {
  return useQuery({
    queryKey: ['chatbots', b.orgId, b.botId],
    queryFn: () => call(api.GET('/api/v1/orgs/{orgId}/chatbots/{botId}', { params: { path: b } })),
    enabled: Boolean(b.orgId && b.botId),
  });
}

/** Markdown to a sentence for screen readers: no fences, emphasis marks or citation brackets. */
function plain(md: string, max = 300): string {
  const s = md
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/[*_`#>|]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * The playground: the user's conversations with this chatbot beside the thread. A question streams its answer
 * (Stop aborts the request); finished turns go straight into the cached history, so nothing refetches
 * mid-conversation. The first question of a new thread creates the conversation.
 */
export function Playground() {
  const { t } = useI18n();
  const { orgId, atLeast } = useCurrentOrg();
  const orgs = useOrgs();
  const { botId = '', convId } = useParams();
  const b = useMemo<BotRef>(() => ({ orgId, botId }), [orgId, botId]);
  const canChat = atLeast('member');
  const bot = useBot(b);

  if (orgs.isPending || bot.isPending) return <Loading />;
  if (bot.error) return <ErrorState error={bot.error} onRetry={() => void bot.refetch()} />;
  if (!canChat) return <Empty title={t('chat.viewerOnly')} />;
  return <PlaygroundView key={`${orgId}/${botId}`} b={b} botName={bot.data.name} convId={convId} />;
}

function PlaygroundView({ b, botName, convId }: { b: BotRef; botName: string; convId: string | undefined }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const errText = useChatErrorText();
  const base = `/orgs/${b.orgId}/chatbots/${b.botId}`;

  const conv = useConversation(b, convId);
  const history = useMessages(b, convId);
  const hasDocs = useHasDocuments(b, true);
  const [listOpen, setListOpen] = useState(false);
  const [mode, setMode] = useState<Mode>('chat');
  const [live, setLive] = useState<LiveTurn | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const abortRef = useRef<AbortController | null>(null);

  // A conversation remembers its mode; opening it selects that mode again.
  const convMode = conv.data?.mode;
  useEffect(() => {
    if (convMode) setMode(convMode);
  }, [convId, convMode]);

  // Leaving a thread mid-answer stops listening (the server still stores the answer); a failed turn that
  // was never stored belongs to the thread it was asked in.
  const liveRef = useRef(live);
  liveRef.current = live;
  useEffect(() => {
    const l = liveRef.current;
    if (!l || l.convId === (convId ?? null)) return;
    if (l.phase !== 'failed' && l.convId === null) return; // creating this conversation right now
    abortRef.current?.abort();
    setLive(null);
  }, [convId]);
  useEffect(() => () => abortRef.current?.abort(), []);

  const changeMode = (m: Mode) => {
    setMode(m);
    if (convId) {
      void updateConversation(b, convId, { mode: m })
        .then((c) => qc.setQueryData(chatKeys.conv(b, c.id), c))
        .catch(() => {}); // the mode is also sent with each question; remembering it is a convenience
    }
  };

  // Deltas arrive word by word: render at most once per frame.
  const buffer = useRef({ text: '', frame: 0 });
  const flush = useCallback(() => {
    buffer.current.frame = 0;
    const text = buffer.current.text;
    setLive((l) => (l ? { ...l, text, phase: 'streaming' } : l));
  }, []);

  const send = async (question: string, images: PickedImage[]) => {
    const ac = new AbortController();
    abortRef.current?.abort();
    abortRef.current = ac;
    buffer.current = { text: '', frame: 0 };
    setAnnouncement('');
    const turn: LiveTurn = {
      convId: convId ?? null,
      question,
      images,
      mode,
      text: '',
      citations: [],
      phase: 'sending',
    };
    setLive(turn);

    let id = convId;
    if (!id) {
      try {
        const created = await createConversation(b, mode);
        id = created.id;
        seedEmptyHistory(qc, b, id);
        qc.setQueryData(chatKeys.conv(b, id), created);
        void qc.invalidateQueries({ queryKey: chatKeys.convsAll(b) });
        setLive((l) => (l ? { ...l, convId: created.id } : l));
        navigate(`${base}/playground/${created.id}`);
      } catch (err) {
        setLive((l) => (l ? { ...l, phase: 'failed', error: err } : l));
        setAnnouncement(errText(err));
        return;
      }
    }
    const target = id;

    const outcome = await streamMessage(
      b,
      target,
      { content: question, mode, ...(images.length ? { images: images.map(toAttachment) } : {}) },
      {
        onDelta: (d) => {
          buffer.current.text += d;
          if (!buffer.current.frame) buffer.current.frame = requestAnimationFrame(flush);
        },
        onCitation: (c) => setLive((l) => (l ? { ...l, citations: [...l.citations, c] } : l)),
      },
      ac.signal,
    );
    if (buffer.current.frame) cancelAnimationFrame(buffer.current.frame);
    buffer.current.frame = 0;
    if (abortRef.current === ac) abortRef.current = null;

    if (outcome.kind === 'done') {
      appendTurn(qc, b, target, outcome.result);
      setLive(null);
      setAnnouncement(`${t('chat.answerReady')} ${plain(outcome.result.message.content)}`);
      void qc.invalidateQueries({ queryKey: chatKeys.convsAll(b) });
      return;
    }
    if (outcome.kind === 'error' && !outcome.stored) {
      setLive((l) => (l ? { ...l, phase: 'failed', error: outcome.error } : l));
      setAnnouncement(errText(outcome.error));
      return;
    }
    // The server has the turn (answered with an error, or still writing after Stop): show what it stored.
    if (outcome.kind === 'error') setAnnouncement(errText(outcome.error));
    else setAnnouncement(t('chat.stopped'));
    await qc.invalidateQueries({ queryKey: chatKeys.msgs(b, target) });
    void qc.invalidateQueries({ queryKey: chatKeys.convsAll(b) });
    setLive((l) => (l && l.convId === target ? null : l));
  };

  const stop = () => abortRef.current?.abort();

  const messages = chronological(history.data);
  const shownLive = live && live.convId === (convId ?? null) ? live : null;
  const streaming = live !== null && live.phase !== 'failed';

  // Follow the answer as it grows, unless the reader scrolled up.
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [messages.length, shownLive?.text, shownLive?.citations.length, shownLive?.phase, convId]);

  const convMissing =
    conv.error instanceof ApiError && (conv.error.status === 404 || conv.error.status === 400);
  let body;
  if (convId && convMissing) {
    body = (
      <Empty title={t('chat.conversationMissing')}>
        <Link className="btn btn-primary" to={`${base}/playground`}>
          {t('chat.startNew')}
        </Link>
      </Empty>
    );
  } else if (convId && (history.isPending || conv.isPending)) {
    body = <Loading />;
  } else if (convId && (history.error || conv.error)) {
    body = (
      <ErrorState
        error={history.error ?? conv.error}
        onRetry={() => {
          void conv.refetch();
          void history.refetch();
        }}
      />
    );
  } else {
    body = (
      <>
        {history.hasNextPage ? (
          <div className="chat-earlier">
            <button
              type="button"
              className="btn btn-small"
              disabled={history.isFetchingNextPage}
              onClick={() => {
                stick.current = false;
                void history.fetchNextPage();
              }}
            >
              {t('chat.loadEarlier')}
            </button>
          </div>
        ) : null}
        {messages.length === 0 && !shownLive ? (
          <div className="chat-welcome">
            <p className="chat-welcome-title">{t('chat.welcomeTitle', { name: botName })}</p>
            <p className="muted">{t('chat.welcomeText')}</p>
          </div>
        ) : null}
        <Thread b={b} botName={botName} messages={messages} live={shownLive} />
      </>
    );
  }

  return (
    <div className={`chat-layout${listOpen ? ' list-open' : ''}`}>
      <h2 className="visually-hidden">{t('chat.title')}</h2>
      <button
        type="button"
        className="btn btn-small chat-list-toggle"
        aria-expanded={listOpen}
        aria-controls="chat-convs"
        onClick={() => setListOpen((o) => !o)}
      >
        {listOpen ? t('chat.hideConversations') : t('chat.showConversations')}
      </button>
      <aside id="chat-convs" className="chat-side" aria-label={t('chat.conversations')}>
        <ConversationList b={b} activeId={convId} onPicked={() => setListOpen(false)} />
      </aside>
      <section className="chat-main" aria-labelledby="chat-thread-title">
        <div className="chat-main-head">
          <h3 id="chat-thread-title">{conv.data && convId ? conv.data.title : t('chat.newConversation')}</h3>
        </div>
        <div
          className="chat-scroll"
          ref={scroller}
          aria-busy={streaming}
          onScroll={(e) => {
            const el = e.currentTarget;
            stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
          }}
        >
          {hasDocs.data === false ? (
            <div className="chat-nodocs" role="note">
              <p>
                <strong>{t('chat.noDocsTitle')}</strong>
              </p>
              <p className="muted">{t('chat.noDocsText')}</p>
              <Link className="btn btn-small btn-primary" to={`${base}/documents`}>
                {t('chat.addDocuments')}
              </Link>
            </div>
          ) : null}
          {body}
        </div>
        <Composer
          mode={mode}
          onModeChange={changeMode}
          streaming={streaming}
          disabled={Boolean(convId) && (convMissing || history.isPending)}
          onSend={(q, imgs) => {
            stick.current = true;
            void send(q, imgs);
          }}
          onStop={stop}
        />
      </section>
      <div className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </div>
    </div>
  );
}
