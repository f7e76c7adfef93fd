import { useEffect, useId, useState, type FormEvent } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call, rawFetch } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useCurrentOrg } from '../../app/orgs';
import { useI18n } from '../../i18n/i18n';
import { ConfirmDialog, Modal } from '../../ui/dialog';
import { Checkbox, SelectField, TextArea, TextField } from '../../ui/forms';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { kk, useFaqList, type Faq, type FaqImportResult } from './knowledge.api';
import './knowledge.css';

const splitTags = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Questions and answers the chatbot can find and quote: list, search, add, edit, delete, import. */
export function FaqsPage() {
  const { t, errorText, formatDate } = useI18n();
  const { orgId, atLeast } = useCurrentOrg();
  const { botId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const qc = useQueryClient();
  const toast = useToast();
  const canWrite = atLeast('member');
  const [text, setText] = useState(params.get('q') ?? '');
  const [q, setQ] = useState(text.trim());
  const [enabled, setEnabled] = useState('');
  const list = useFaqList(orgId, botId, { q, enabled });
  const [editing, setEditing] = useState<Faq | 'new' | null>(null);
  const [toDelete, setToDelete] = useState<Faq | null>(null);

  useEffect(() => {
    const id = setTimeout(() => {
      setQ(text.trim());
      const next = new URLSearchParams(params);
      if (text.trim()) next.set('q', text.trim());
      else next.delete('q');
      if (next.toString() !== params.toString()) setParams(next, { replace: true });
    }, 250);
    return () => clearTimeout(id);
  }, [text]);

  const refresh = () => void qc.invalidateQueries({ queryKey: kk.faqs(orgId, botId) });

  const del = useMutation({
    mutationFn: (f: Faq) =>
      call(
        api.DELETE('/api/v1/orgs/{orgId}/chatbots/{botId}/faqs/{faqId}', {
          params: { path: { orgId, botId, faqId: f.id } },
        }),
      ),
    onSuccess: () => {
      setToDelete(null);
      toast(t('knowledge.faqs.deleted'));
      refresh();
    },
    onError: (err) => {
      setToDelete(null);
      toast(errorText(err), 'error');
    },
  });

  const faqs = list.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(q || enabled);

  return (
    <section className="kn-page" aria-labelledby="kn-faqs-title">
      <div className="page-header">
        <h2 id="kn-faqs-title">{t('knowledge.faqs.title')}</h2>
        {canWrite ? (
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
              {t('knowledge.faqs.add')}
            </button>
          </div>
        ) : null}
      </div>
      <p className="muted">{t('knowledge.faqs.intro')}</p>

      {canWrite ? <FaqImport orgId={orgId} botId={botId} onDone={refresh} /> : null}

      <div className="kn-filters row">
        <div className="grow">
          <TextField
            label={t('knowledge.faqs.search')}
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        <SelectField
          label={t('knowledge.faqs.filterEnabled')}
          value={enabled}
          onChange={(e) => setEnabled(e.target.value)}
          options={[
            { value: '', label: t('knowledge.faqs.all') },
            { value: 'true', label: t('knowledge.faqs.enabledOnly') },
            { value: 'false', label: t('knowledge.faqs.disabledOnly') },
          ]}
        />
      </div>

      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : faqs.length === 0 ? (
        filtered ? (
          <Empty title={t('knowledge.faqs.noMatch')} />
        ) : (
          <Empty title={t('knowledge.faqs.emptyTitle')}>
            {canWrite ? <p className="small">{t('knowledge.faqs.emptyText')}</p> : null}
          </Empty>
        )
      ) : (
        <ul className="kn-faqs" aria-label={t('knowledge.faqs.listLabel')}>
          {faqs.map((f) => (
            <li key={f.id} className="kn-faq card" data-faq-id={f.id}>
              <div className="kn-faq-head">
                <h3 className="kn-faq-q">{f.question}</h3>
                {!f.enabled ? <span className="badge">{t('knowledge.faqs.disabled')}</span> : null}
              </div>
              <p className="kn-faq-a">{f.answer}</p>
              <div className="kn-faq-foot row">
                {f.tags.map((tag) => (
                  <span key={tag} className="badge kn-tag">
                    {tag}
                  </span>
                ))}
                <span className="muted small grow">
                  {t('knowledge.faqs.updated', { date: formatDate(f.updatedAt) })}
                </span>
                {canWrite ? (
                  <>
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={t('knowledge.faqs.editNamed', { q: f.question })}
                      onClick={() => setEditing(f)}
                    >
                      {t('action.edit')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small kn-danger-text"
                      aria-label={t('knowledge.faqs.deleteNamed', { q: f.question })}
                      onClick={() => setToDelete(f)}
                    >
                      {t('action.delete')}
                    </button>
                  </>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage ? (
        <div className="actions">
          <button
            type="button"
            className="btn"
            disabled={list.isFetchingNextPage}
            onClick={() => void list.fetchNextPage()}
          >
            {t('action.loadMore')}
          </button>
        </div>
      ) : null}

      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('knowledge.faqs.addTitle') : t('knowledge.faqs.editTitle')}
        onClose={() => setEditing(null)}
      >
        {editing !== null ? (
          <FaqForm
            key={editing === 'new' ? 'new' : editing.id}
            orgId={orgId}
            botId={botId}
            faq={editing === 'new' ? null : editing}
            onDone={() => {
              setEditing(null);
              refresh();
            }}
            onCancel={() => setEditing(null)}
          />
        ) : null}
      </Modal>

      <ConfirmDialog
        open={toDelete !== null}
        message={toDelete ? t('knowledge.faqs.confirmDelete', { q: toDelete.question }) : ''}
        busy={del.isPending}
        onConfirm={() => toDelete && del.mutate(toDelete)}
        onCancel={() => setToDelete(null)}
      />
    </section>
  );
}

function FaqForm({
  orgId,
  botId,
  faq,
  onDone,
  onCancel,
}: {
  orgId: string;
  botId: string;
  faq: Faq | null;
  onDone: () => void;
  onCancel: () => void;
}) {
  const { t, errorText } = useI18n();
  const toast = useToast();
  const [question, setQuestion] = useState(faq?.question ?? '');
  const [answer, setAnswer] = useState(faq?.answer ?? '');
  const [tags, setTags] = useState(faq?.tags.join(', ') ?? '');
  const [enabled, setEnabled] = useState(faq?.enabled ?? true);
  const save = useMutation({
    mutationFn: () => {
      const body = { question: question.trim(), answer: answer.trim(), tags: splitTags(tags), enabled };
      return faq
        ? call(
            api.PATCH('/api/v1/orgs/{orgId}/chatbots/{botId}/faqs/{faqId}', {
              params: { path: { orgId, botId, faqId: faq.id } },
              body,
            }),
          )
        : call(
            api.POST('/api/v1/orgs/{orgId}/chatbots/{botId}/faqs', {
              params: { path: { orgId, botId } },
              body,
            }),
          );
    },
    onSuccess: () => {
      toast(faq ? t('state.saved') : t('knowledge.faqs.added'));
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!question.trim() || !answer.trim()) return;
    save.mutate();
  };
  const err = save.error;
  const conflict = err instanceof ApiError && err.code === 'conflict';
  return (
    <form className="form kn-faq-form" onSubmit={submit}>
      <TextField
        label={t('knowledge.faqs.question')}
        value={question}
        onChange={(e) => setQuestion(e.target.value)}
        maxLength={1000}
        required
        error={conflict ? t('knowledge.faqs.duplicate') : undefined}
      />
      <TextArea
        label={t('knowledge.faqs.answer')}
        value={answer}
        onChange={(e) => setAnswer(e.target.value)}
        maxLength={10_000}
        rows={6}
        required
      />
      <TextField
        label={t('knowledge.faqs.tags')}
        hint={t('knowledge.faqs.tagsHint')}
        value={tags}
        onChange={(e) => setTags(e.target.value)}
      />
      <Checkbox
        label={t('knowledge.faqs.enabled')}
        checked={enabled}
        onChange={(e) => setEnabled(e.target.checked)}
      />
      {err && !conflict ? (
        <p className="field-error" role="alert">
          {errorText(err)}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="btn" onClick={onCancel}>
          {t('action.cancel')}
        </button>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={save.isPending || !question.trim() || !answer.trim()}
        >
          {save.isPending ? t('action.saving') : t('action.save')}
        </button>
      </div>
    </form>
  );
}

/** A CSV (question, answer[, tags]) or a JSON array of {question, answer, tags?}; same question → updated. */
function FaqImport({ orgId, botId, onDone }: { orgId: string; botId: string; onDone: () => void }) {
  const { t, errorText } = useI18n();
  const id = useId();
  const [result, setResult] = useState<FaqImportResult | null>(null);
  const imp = useMutation({
    mutationFn: async (file: File): Promise<FaqImportResult> => {
      const text = await file.text();
      const isJson = /\.json$/i.test(file.name) || file.type === 'application/json' || /^\s*[[{]/.test(text);
      if (isJson) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new ImportFileError('knowledge.faqs.import.badJson');
        }
        const entries = Array.isArray(parsed)
          ? parsed
          : ((parsed as { faqs?: unknown }).faqs ?? (parsed as { data?: unknown }).data);
        if (!Array.isArray(entries) || entries.length === 0)
          throw new ImportFileError('knowledge.faqs.import.badJson');
        return call(
          api.POST('/api/v1/orgs/{orgId}/chatbots/{botId}/faqs/import', {
            params: { path: { orgId, botId } },
            body: entries as { question: string; answer: string; tags?: string[] }[],
          }),
        );
      }
      const res = await rawFetch(
        `/api/v1/orgs/${encodeURIComponent(orgId)}/chatbots/${encodeURIComponent(botId)}/faqs/import`,
        { method: 'POST', headers: { 'content-type': 'text/csv' }, body: text },
      );
      return (await res.json()) as FaqImportResult;
    },
    onSuccess: (r) => {
      setResult(r);
      onDone();
    },
    onMutate: () => setResult(null),
  });
  const err = imp.error;
  return (
    <section className="kn-import card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('knowledge.faqs.import.title')}</h3>
      <p className="hint">{t('knowledge.faqs.import.hint')}</p>
      <div className="row">
        <input
          id={id}
          type="file"
          accept=".csv,.json,text/csv,application/json"
          className="visually-hidden kn-file-input"
          disabled={imp.isPending}
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) imp.mutate(f);
          }}
        />
        <label htmlFor={id} className="btn">
          {imp.isPending ? t('knowledge.faqs.import.running') : t('knowledge.faqs.import.choose')}
        </label>
      </div>
      {result ? (
        <p className="kn-import-result" role="status">
          {t('knowledge.faqs.import.result', {
            received: result.received,
            created: result.created,
            updated: result.updated,
            unchanged: result.unchanged,
          })}
        </p>
      ) : null}
      {err ? (
        <p className="field-error" role="alert">
          {err instanceof ImportFileError
            ? t(err.key)
            : err instanceof ApiError && err.code === 'validation_failed'
              ? t('knowledge.faqs.import.invalid')
              : errorText(err)}
        </p>
      ) : null}
    </section>
  );
}

class ImportFileError extends Error {
  constructor(readonly key: 'knowledge.faqs.import.badJson') {
    super(key);
  }
}
