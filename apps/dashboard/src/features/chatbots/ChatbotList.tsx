import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { useCurrentOrg } from '../../app/orgs';
import { useI18n } from '../../i18n/i18n';
import type { Language } from '../../i18n/define';
import { Modal } from '../../ui/dialog';
import { SelectField, TextArea, TextField } from '../../ui/forms';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { qk, useChatbotList, useDocumentCount, type Chatbot } from './chatbots.api';
import { rememberSecret } from './secrets';
import { ModelName } from './ModelName';
import './chatbots.css';

/** The org's chatbots as cards; a new user sees one clear next step: create the first one. */
export function ChatbotList() {
  const { t } = useI18n();
  const { orgId, atLeast } = useCurrentOrg();
  const list = useChatbotList(orgId);
  const [creating, setCreating] = useState(false);
  const canCreate = atLeast('member');
  const bots = list.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <section className="page">
      <div className="page-header">
        <h1>{t('chatbots.title')}</h1>
        {canCreate && bots.length > 0 ? (
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              {t('chatbots.new')}
            </button>
          </div>
        ) : null}
      </div>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : bots.length === 0 ? (
        <Empty title={t('chatbots.emptyTitle')}>
          <p>{t('chatbots.emptyText')}</p>
          {canCreate ? (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              {t('chatbots.createFirst')}
            </button>
          ) : (
            <p className="small">{t('chatbots.emptyViewer')}</p>
          )}
        </Empty>
      ) : (
        <>
          <ul className="grid-cards bot-cards" aria-label={t('chatbots.title')}>
            {bots.map((b) => (
              <li key={b.id}>
                <BotCard orgId={orgId} bot={b} />
              </li>
            ))}
          </ul>
          {list.hasNextPage ? (
            <div className="actions">
              <button
                type="button"
                className="btn"
                onClick={() => void list.fetchNextPage()}
                disabled={list.isFetchingNextPage}
              >
                {t('action.loadMore')}
              </button>
            </div>
          ) : null}
        </>
      )}
      <NewChatbotDialog open={creating} orgId={orgId} onClose={() => setCreating(false)} />
    </section>
  );
}

function BotCard({ orgId, bot }: { orgId: string; bot: Chatbot }) {
  const { t } = useI18n();
  const docs = useDocumentCount(orgId, bot.id);
  return (
    <article className="card bot-card">
      <h2>
        <Link to={`/orgs/${orgId}/chatbots/${bot.id}`}>{bot.name}</Link>
      </h2>
      <p className={bot.description ? 'bot-card-desc' : 'bot-card-desc muted'}>
        {bot.description || t('chatbots.noDescription')}
      </p>
      <dl className="bot-facts">
        <div>
          <dt>{t('chatbots.model')}</dt>
          <dd>
            <ModelName model={bot.modelSettings.model} />
          </dd>
        </div>
        <div>
          <dt>{t('chatbots.documents')}</dt>
          <dd>
            {docs.data
              ? t(docs.data.more ? 'chatbots.docCountMore' : 'chatbots.docCount', { n: docs.data.count })
              : docs.error
                ? '—'
                : '…'}
          </dd>
        </div>
        <div>
          <dt>{t('chatbots.language')}</dt>
          <dd>{t(bot.language === 'id' ? 'language.id' : 'language.en')}</dd>
        </div>
      </dl>
      {bot.status === 'disabled' ? (
        <span className="badge badge-danger">{t('chatbots.disabled')}</span>
      ) : null}
    </article>
  );
}

function NewChatbotDialog({ open, orgId, onClose }: { open: boolean; orgId: string; onClose: () => void }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState<{ name: string; description: string; language: Language }>({
    name: '',
    description: '',
    language: lang,
  });
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/orgs/{orgId}/chatbots', {
          params: { path: { orgId } },
          body: { name: form.name.trim(), description: form.description, language: form.language },
        }),
      ),
    onSuccess: (r) => {
      rememberSecret(r.chatbot.id, {
        keyId: r.key.id,
        name: r.key.name,
        prefix: r.key.prefix,
        secret: r.secret,
      });
      qc.setQueryData(qk.bot(orgId, r.chatbot.id), r.chatbot);
      void qc.invalidateQueries({ queryKey: qk.list(orgId) });
      toast(t('chatbots.created', { name: r.chatbot.name }));
      onClose();
      setForm({ name: '', description: '', language: lang });
      create.reset();
      // Next step for a new bot: give it something to know.
      navigate(`/orgs/${orgId}/chatbots/${r.chatbot.id}/documents`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Modal open={open} title={t('chatbots.new')} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <TextField
          label={t('chatbots.name')}
          required
          maxLength={100}
          autoFocus
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
        <TextArea
          label={t('chatbots.description')}
          hint={t('chatbots.descriptionHint')}
          maxLength={2000}
          value={form.description}
          onChange={(e) => setForm({ ...form, description: e.target.value })}
        />
        <SelectField
          label={t('chatbots.language')}
          hint={t('chatbots.languageHint')}
          value={form.language}
          onChange={(e) => setForm({ ...form, language: e.target.value as Language })}
          options={[
            { value: 'en', label: t('language.en') },
            { value: 'id', label: t('language.id') },
          ]}
        />
        {create.error ? <ErrorState error={create.error} /> : null}
        <div className="actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('action.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !form.name.trim()}>
            {create.isPending ? t('action.saving') : t('action.create')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
