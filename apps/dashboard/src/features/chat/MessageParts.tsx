import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useI18n, type MessageKey } from '../../i18n/i18n';
import { TextArea } from '../../ui/forms';
import { useToast } from '../../ui/toast';
import { ErrorState, Loading } from '../../ui/states';
import { useQueryClient } from '@tanstack/react-query';
import {
  saveSnippet,
  sendFeedback,
  setCachedFeedback,
  useTraces,
  type BotRef,
  type Citation,
  type Message,
} from './chat.api';
import { feedbackOf, type StoredFeedback } from './feedback-store';
import { useChatErrorText } from './errors';
import { ThumbDown, ThumbUp } from './icons';

/** Where a citation opens: the document viewer scrolled to the chunk, or the FAQ list for an FAQ entry. */
function sourceHref(b: BotRef, c: Citation): string | null {
  const base = `/orgs/${b.orgId}/chatbots/${b.botId}`;
  if (c.documentId.startsWith('doc_'))
    return `${base}/documents/${encodeURIComponent(c.documentId)}?chunk=${encodeURIComponent(c.chunkId)}`;
  if (c.documentId.startsWith('faq_')) return `${base}/faqs`;
  return null;
}

/** Numbered sources under an answer: document, page and the quoted passage; each opens the passage. */
export function Citations({ b, citations, msgKey }: { b: BotRef; citations: Citation[]; msgKey: string }) {
  const { t } = useI18n();
  const seen = new Set<number>();
  const list = [...citations]
    .sort((x, y) => x.n - y.n)
    .filter((c) => (seen.has(c.n) ? false : (seen.add(c.n), true)));
  if (!list.length) return null;
  const headingId = `sources-${msgKey}`;
  return (
    <div className="chat-sources">
      <h4 id={headingId}>{t('chat.sources')}</h4>
      <ol aria-labelledby={headingId}>
        {list.map((c) => {
          const href = sourceHref(b, c);
          const label = (
            <>
              <span className="chat-source-n">[{c.n}]</span> {c.documentTitle}
              {c.page !== null ? <span className="muted">, {t('chat.page', { page: c.page })}</span> : null}
            </>
          );
          return (
            <li key={c.n} value={c.n}>
              {href ? (
                <Link to={href} className="chat-source-link">
                  {label}
                </Link>
              ) : (
                <span className="chat-source-link">{label}</span>
              )}
              {c.quote ? <blockquote>{c.quote}</blockquote> : null}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** Up/down on an answer, with an optional comment; sending again replaces the rating. */
export function Feedback({ b, message }: { b: BotRef; message: Message }) {
  const { t } = useI18n();
  const toast = useToast();
  const qc = useQueryClient();
  const errText = useChatErrorText();
  const [current, setCurrent] = useState<StoredFeedback | null>(() => feedbackOf(message));
  const [commenting, setCommenting] = useState(false);
  const [comment, setComment] = useState(current?.comment ?? '');
  const [busy, setBusy] = useState(false);

  const save = async (next: StoredFeedback) => {
    const before = current;
    setCurrent(next);
    setBusy(true);
    try {
      const saved = await sendFeedback(b, message.conversationId, message.id, next);
      const stored = { rating: saved.rating, comment: saved.comment };
      setCurrent(stored);
      setCachedFeedback(qc, b, message.conversationId, message.id, stored);
      return true;
    } catch (err) {
      setCurrent(before);
      toast(errText(err), 'error');
      return false;
    } finally {
      setBusy(false);
    }
  };
  const rate = async (rating: 'up' | 'down') => {
    if (await save({ rating, comment: current?.comment ?? null })) setCommenting(true);
  };
  const submitComment = async (e: FormEvent) => {
    e.preventDefault();
    if (!current) return;
    if (await save({ rating: current.rating, comment: comment.trim() || null })) {
      setCommenting(false);
      toast(t('chat.feedbackSaved'));
    }
  };

  return (
    <div className="chat-feedback">
      <div className="row" role="group" aria-label={t('chat.feedback')}>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          aria-pressed={current?.rating === 'up'}
          aria-label={t('chat.helpful')}
          title={t('chat.helpful')}
          disabled={busy}
          onClick={() => void rate('up')}
        >
          <ThumbUp />
        </button>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          aria-pressed={current?.rating === 'down'}
          aria-label={t('chat.notHelpful')}
          title={t('chat.notHelpful')}
          disabled={busy}
          onClick={() => void rate('down')}
        >
          <ThumbDown />
        </button>
      </div>
      {commenting && current ? (
        <form className="chat-feedback-form" onSubmit={(e) => void submitComment(e)}>
          <TextArea
            label={t('chat.feedbackComment')}
            value={comment}
            maxLength={2000}
            rows={2}
            onChange={(e) => setComment(e.target.value)}
          />
          <div className="row">
            <button type="submit" className="btn btn-small btn-primary" disabled={busy}>
              {t('chat.feedbackSend')}
            </button>
            <button type="button" className="btn btn-small" onClick={() => setCommenting(false)}>
              {t('action.cancel')}
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

/** Model, tokens and timings of an answer, and the model calls behind it (loaded when opened). */
export function Details({ b, message }: { b: BotRef; message: Message }) {
  const { t, formatNumber, formatDate } = useI18n();
  const [open, setOpen] = useState(false);
  const traces = useTraces(b, message.conversationId, message.id, open);
  const ms = (n: number | null) => (n === null ? '—' : t('chat.ms', { n: formatNumber(n) }));
  return (
    <details className="chat-details" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('chat.details')}</summary>
      <dl>
        <dt>{t('chat.model')}</dt>
        <dd>
          <code>{message.model ?? '—'}</code>
        </dd>
        {message.usage ? (
          <>
            <dt>{t('chat.tokens')}</dt>
            <dd>
              {t('chat.tokensValue', {
                prompt: formatNumber(message.usage.promptTokens),
                completion: formatNumber(message.usage.completionTokens),
                total: formatNumber(message.usage.totalTokens),
              })}
            </dd>
          </>
        ) : null}
        <dt>{t('chat.firstToken')}</dt>
        <dd>{ms(message.ttftMs)}</dd>
        <dt>{t('chat.latency')}</dt>
        <dd>{ms(message.latencyMs)}</dd>
        <dt>{t('chat.sent')}</dt>
        <dd>{formatDate(message.createdAt)}</dd>
      </dl>
      {open ? (
        <div className="chat-traces">
          <h4>{t('chat.traces')}</h4>
          {traces.isPending ? (
            <Loading />
          ) : traces.error ? (
            <ErrorState error={traces.error} onRetry={() => void traces.refetch()} />
          ) : traces.data.data.length === 0 ? (
            <p className="muted small">{t('chat.noTraces')}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('chat.trace.purpose')}</th>
                    <th scope="col">{t('chat.model')}</th>
                    <th scope="col">{t('chat.tokens')}</th>
                    <th scope="col">{t('chat.firstToken')}</th>
                    <th scope="col">{t('chat.latency')}</th>
                    <th scope="col">{t('chat.trace.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {traces.data.data.map((tr) => (
                    <tr key={tr.id}>
                      <td>{tr.purpose}</td>
                      <td>
                        <code>
                          {tr.provider}/{tr.model}
                        </code>
                      </td>
                      <td>
                        {formatNumber(tr.promptTokens)} / {formatNumber(tr.completionTokens)}
                      </td>
                      <td>{ms(tr.ttftMs)}</td>
                      <td>{ms(tr.latencyMs)}</td>
                      <td>
                        <span className={`badge ${tr.status === 'ok' ? 'badge-ok' : 'badge-danger'}`}>
                          {t(`chat.trace.status.${tr.status}` as MessageKey)}
                        </span>
                        {tr.error ? <span className="small muted"> {tr.error}</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ) : null}
    </details>
  );
}

/** "Save snippet" for one fenced block of a stored answer. */
export function SaveSnippetButton({ b, message, index }: { b: BotRef; message: Message; index: number }) {
  const { t } = useI18n();
  const toast = useToast();
  const errText = useChatErrorText();
  const [state, setState] = useState<'idle' | 'busy' | 'saved'>('idle');
  const save = async () => {
    setState('busy');
    try {
      await saveSnippet(b, message.conversationId, message.id, index);
      setState('saved');
      toast(t('chat.snippetSaved'));
    } catch (err) {
      setState('idle');
      toast(errText(err), 'error');
    }
  };
  return (
    <button type="button" className="btn btn-small" disabled={state !== 'idle'} onClick={() => void save()}>
      {state === 'saved' ? t('state.saved') : t('chat.saveSnippet')}
    </button>
  );
}
