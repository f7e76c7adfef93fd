import { useI18n, type MessageKey } from '../../i18n/i18n';
import type { BotRef, Citation, Message, Mode } from './chat.api';
import type { PickedImage } from './Composer';
import { useChatErrorText } from './errors';
import { Markdown } from './Markdown';
import { Citations, Details, Feedback, SaveSnippetButton } from './MessageParts';

/** The turn being asked right now, before the server has stored it as history. */
export interface LiveTurn {
  convId: string | null;
  question: string;
  images: PickedImage[];
  mode: Mode;
  text: string;
  citations: Citation[];
  phase: 'sending' | 'streaming' | 'failed';
  error?: unknown;
}

function attachmentName(a: Record<string, unknown>, i: number): string {
  return typeof a.name === 'string' ? a.name : `image-${i + 1}`;
}

function ModeBadge({ mode }: { mode: Mode }) {
  const { t } = useI18n();
  if (mode === 'chat') return null;
  return <span className="badge badge-primary">{t(`chat.modeBadge.${mode}` as MessageKey)}</span>;
}

function UserBubble({
  content,
  mode,
  images,
  attachments,
}: {
  content: string;
  mode: Mode;
  images?: PickedImage[];
  attachments?: Record<string, unknown>[];
}) {
  const { t } = useI18n();
  return (
    <li className="chat-msg chat-msg-user">
      <div className="chat-msg-head">
        <span className="chat-author">{t('chat.you')}</span>
        <ModeBadge mode={mode} />
      </div>
      <div className="chat-bubble">
        <p className="chat-question">{content}</p>
        {images?.length ? (
          <ul className="chat-previews">
            {images.map((img, i) => (
              <li key={i}>
                <img src={img.dataUrl} alt={img.name} />
              </li>
            ))}
          </ul>
        ) : attachments?.length ? (
          <ul className="chat-attachments">
            {attachments.map((a, i) => (
              <li key={i} className="badge">
                {t('chat.imageAttachment', { name: attachmentName(a, i) })}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </li>
  );
}

function AssistantBubble({
  b,
  botName,
  msgKey,
  content,
  citations,
  grounded,
  status,
  error,
  stored,
}: {
  b: BotRef;
  botName: string;
  msgKey: string;
  content: string;
  citations: Citation[];
  grounded: boolean | null;
  status: 'sending' | 'streaming' | 'complete' | 'error' | 'cancelled';
  error?: unknown;
  stored?: Message;
}) {
  const { t } = useI18n();
  const errText = useChatErrorText();
  const live = status === 'sending' || status === 'streaming';
  return (
    <li className={`chat-msg chat-msg-assistant${live ? ' is-live' : ''}`} data-status={status}>
      <div className="chat-msg-head">
        <span className="chat-author">{botName}</span>
        {grounded === false ? <span className="badge">{t('chat.notGrounded')}</span> : null}
      </div>
      <div className="chat-bubble">
        {content ? (
          <Markdown
            text={content}
            renderActions={
              stored && status === 'complete'
                ? (index) => <SaveSnippetButton b={b} message={stored} index={index} />
                : undefined
            }
          />
        ) : null}
        {status === 'sending' || (status === 'streaming' && !content) ? (
          <p className="chat-pending muted">
            <span className="spinner" aria-hidden="true" /> {stored ? t('chat.writing') : t('chat.searching')}
          </p>
        ) : null}
        {status === 'streaming' && content ? <span className="chat-caret" aria-hidden="true" /> : null}
        {status === 'error' ? (
          <p className="chat-error" role="alert">
            {errText(error)}
          </p>
        ) : null}
        {status === 'cancelled' ? <p className="muted small">{t('chat.stopped')}</p> : null}
        <Citations b={b} citations={citations} msgKey={msgKey} />
      </div>
      {stored && status !== 'streaming' ? (
        <div className="chat-msg-foot">
          {status === 'complete' ? <Feedback b={b} message={stored} /> : null}
          <Details b={b} message={stored} />
        </div>
      ) : null}
    </li>
  );
}

/** History (oldest first) followed by the live turn, if it belongs to this conversation. */
export function Thread({
  b,
  botName,
  messages,
  live,
}: {
  b: BotRef;
  botName: string;
  messages: Message[];
  live: LiveTurn | null;
}) {
  return (
    <ol className="chat-thread">
      {messages.map((m) =>
        m.role === 'user' ? (
          <UserBubble key={m.id} content={m.content} mode={m.mode} attachments={m.attachments} />
        ) : (
          <AssistantBubble
            key={m.id}
            b={b}
            botName={botName}
            msgKey={m.id}
            content={m.content}
            citations={m.citations}
            grounded={m.grounded}
            status={m.status}
            error={m.error}
            stored={m}
          />
        ),
      )}
      {live ? (
        <>
          <UserBubble key="live-q" content={live.question} mode={live.mode} images={live.images} />
          <AssistantBubble
            key="live-a"
            b={b}
            botName={botName}
            msgKey="live"
            content={live.text}
            citations={live.citations}
            grounded={null}
            status={live.phase === 'failed' ? 'error' : live.phase}
            error={live.error}
          />
        </>
      ) : null}
    </ol>
  );
}
