import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useI18n } from '../../i18n/i18n';
import { ConfirmDialog, Modal } from '../../ui/dialog';
import { TextField } from '../../ui/forms';
import { ErrorState, Loading } from '../../ui/states';
import { useToast } from '../../ui/toast';
import {
  chatKeys,
  deleteConversation,
  updateConversation,
  useConversations,
  type BotRef,
  type Conversation,
} from './chat.api';
import { useChatErrorText } from './errors';
import { Pencil, Plus, Trash } from './icons';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/** The user's conversations with this bot: search, open, rename, delete; "new" starts an empty thread. */
export function ConversationList({
  b,
  activeId,
  onPicked,
}: {
  b: BotRef;
  activeId: string | undefined;
  /** a conversation was opened (the phone layout closes the list) */
  onPicked: () => void;
}) {
  const { t, formatDate } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const errText = useChatErrorText();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 300);
  const convs = useConversations(b, q, true);
  const [renaming, setRenaming] = useState<Conversation | null>(null);
  const [title, setTitle] = useState('');
  const [deleting, setDeleting] = useState<Conversation | null>(null);
  const [busy, setBusy] = useState(false);
  const [renameError, setRenameError] = useState<unknown>(null);
  const base = `/orgs/${b.orgId}/chatbots/${b.botId}/playground`;

  const startRename = (c: Conversation) => {
    setRenaming(c);
    setTitle(c.title);
    setRenameError(null);
  };
  const rename = async (e: FormEvent) => {
    e.preventDefault();
    if (!renaming || !title.trim()) return;
    setBusy(true);
    try {
      const updated = await updateConversation(b, renaming.id, { title: title.trim() });
      qc.setQueryData(chatKeys.conv(b, updated.id), updated);
      await qc.invalidateQueries({ queryKey: chatKeys.convsAll(b) });
      setRenaming(null);
      toast(t('chat.renamed'));
    } catch (err) {
      setRenameError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!deleting) return;
    const target = deleting;
    setBusy(true);
    try {
      await deleteConversation(b, target.id);
      // Leave the deleted thread before anything could refetch it.
      if (target.id === activeId) navigate(base, { replace: true });
      setDeleting(null);
      await qc.invalidateQueries({ queryKey: chatKeys.convsAll(b) });
      toast(t('chat.deleted'));
    } catch (err) {
      setDeleting(null);
      toast(errText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  const items = convs.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <div className="chat-convs">
      <div className="chat-convs-head">
        <h3>{t('chat.conversations')}</h3>
        <Link className="btn btn-small btn-primary" to={base} onClick={onPicked}>
          <Plus /> {t('chat.newConversation')}
        </Link>
      </div>
      <TextField
        label={t('chat.searchConversations')}
        type="search"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      {convs.isPending ? (
        <Loading />
      ) : convs.error ? (
        <ErrorState error={convs.error} onRetry={() => void convs.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted small chat-convs-empty">
          {q ? t('chat.noMatches', { q }) : t('chat.noConversations')}
        </p>
      ) : (
        <ul className="chat-conv-list">
          {items.map((c) => {
            const active = c.id === activeId;
            return (
              <li key={c.id} className={active ? 'active' : undefined}>
                <Link
                  to={`${base}/${c.id}`}
                  aria-current={active ? 'page' : undefined}
                  className="chat-conv-link"
                  onClick={onPicked}
                >
                  <span className="chat-conv-title">{c.title}</span>
                  <span className="chat-conv-meta muted small">
                    {formatDate(c.lastMessageAt ?? c.createdAt)} ·{' '}
                    {t('chat.messageCount', { n: c.messageCount })}
                  </span>
                </Link>
                <div className="chat-conv-actions">
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-label={t('chat.renameLabel', { title: c.title })}
                    title={t('chat.rename')}
                    onClick={() => startRename(c)}
                  >
                    <Pencil />
                  </button>
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-label={t('chat.deleteLabel', { title: c.title })}
                    title={t('action.delete')}
                    onClick={() => setDeleting(c)}
                  >
                    <Trash />
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {convs.hasNextPage ? (
        <button
          type="button"
          className="btn btn-small"
          disabled={convs.isFetchingNextPage}
          onClick={() => void convs.fetchNextPage()}
        >
          {t('action.loadMore')}
        </button>
      ) : null}

      <Modal open={renaming !== null} title={t('chat.renameTitle')} onClose={() => setRenaming(null)}>
        <form className="form" onSubmit={(e) => void rename(e)}>
          <TextField
            label={t('chat.titleLabel')}
            value={title}
            required
            maxLength={200}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
          />
          {renameError ? <ErrorState error={renameError} /> : null}
          <div className="actions">
            <button type="button" className="btn" onClick={() => setRenaming(null)}>
              {t('action.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy || !title.trim()}>
              {t('action.save')}
            </button>
          </div>
        </form>
      </Modal>
      <ConfirmDialog
        open={deleting !== null}
        message={t('chat.confirmDelete', { title: deleting?.title ?? '' })}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(null)}
        busy={busy}
      />
    </div>
  );
}
