import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call, rawFetch } from '../../api/client';
import { useCurrentOrg } from '../../app/orgs';
import { useI18n } from '../../i18n/i18n';
import { ConfirmDialog } from '../../ui/dialog';
import { SelectField, TextField } from '../../ui/forms';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { formatBytes, ingestErrorText, statusBadge, statusKey, uploadErrorText } from './format';
import {
  DOC_STATUSES,
  docsPath,
  isSettled,
  kk,
  uploadFile,
  useDocumentList,
  type Doc,
} from './knowledge.api';
import { ACCEPT, UploadZone } from './UploadZone';
import { UrlIngestForm } from './UrlIngestForm';
import './knowledge.css';

/** Debounced copy of a value: the name filter queries the server once typing pauses. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/** Saves a download through the authenticated fetch (a plain link would carry no token). */
export async function downloadDocument(orgId: string, botId: string, doc: Doc) {
  const res = await rawFetch(`${docsPath(orgId, botId)}/${encodeURIComponent(doc.id)}/download`);
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = doc.filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export function DocumentsPage() {
  const { t, lang, formatDate, formatNumber, errorText } = useI18n();
  const { orgId, atLeast } = useCurrentOrg();
  const { botId = '' } = useParams();
  const qc = useQueryClient();
  const toast = useToast();
  const canWrite = atLeast('member');
  const [name, setName] = useState('');
  const [status, setStatus] = useState('');
  const q = useDebounced(name.trim(), 250);
  const filter = { q, status };
  const list = useDocumentList(orgId, botId, filter);
  const [toDelete, setToDelete] = useState<Doc | null>(null);
  const [replacing, setReplacing] = useState<{ doc: Doc; pct: number } | null>(null);
  const replaceTarget = useRef<Doc | null>(null);
  const replaceInput = useRef<HTMLInputElement>(null);
  const base = `/orgs/${orgId}/chatbots/${botId}`;

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: kk.docs(orgId, botId) });
    void qc.invalidateQueries({ queryKey: kk.botDocCount(orgId, botId) });
  };

  const del = useMutation({
    mutationFn: (doc: Doc) =>
      call(
        api.DELETE('/api/v1/orgs/{orgId}/chatbots/{botId}/documents/{docId}', {
          params: { path: { orgId, botId, docId: doc.id } },
        }),
      ),
    onSuccess: (_r, doc) => {
      setToDelete(null);
      toast(t('knowledge.docs.deleted', { title: doc.title }));
      refresh();
    },
    onError: (err) => {
      setToDelete(null);
      toast(errorText(err), 'error');
    },
  });

  const replace = async (doc: Doc, file: File) => {
    setReplacing({ doc, pct: 0 });
    try {
      await uploadFile(`${docsPath(orgId, botId)}/${encodeURIComponent(doc.id)}`, 'PUT', file, (f) =>
        setReplacing({ doc, pct: Math.round(f * 100) }),
      );
      toast(t('knowledge.docs.replaced', { title: doc.title }));
      refresh();
    } catch (err) {
      toast(uploadErrorText(err, file.name, t, errorText), 'error');
    } finally {
      setReplacing(null);
    }
  };

  const download = (doc: Doc) =>
    downloadDocument(orgId, botId, doc).catch((err: unknown) => toast(errorText(err), 'error'));

  const docs = list.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(q || status);
  const live = docs.some((d) => !isSettled(d.status));

  return (
    <section className="kn-page" aria-labelledby="kn-docs-title">
      <div className="page-header">
        <h2 id="kn-docs-title">{t('knowledge.docs.title')}</h2>
      </div>

      {canWrite ? (
        <div className="kn-add">
          <UploadZone url={docsPath(orgId, botId)} onUploaded={refresh} />
          <UrlIngestForm orgId={orgId} botId={botId} onAdded={refresh} />
        </div>
      ) : null}

      <div className="kn-filters row">
        <div className="grow">
          <TextField
            label={t('knowledge.docs.filterName')}
            type="search"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <SelectField
          label={t('knowledge.docs.filterStatus')}
          value={status}
          onChange={(e) => setStatus(e.target.value)}
          options={[
            { value: '', label: t('knowledge.docs.allStatuses') },
            ...DOC_STATUSES.map((s) => ({ value: s, label: t(statusKey[s]) })),
          ]}
        />
      </div>

      {live ? (
        <p className="muted small kn-live" role="status">
          <span className="spinner" aria-hidden="true" /> {t('knowledge.docs.live')}
        </p>
      ) : null}

      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : docs.length === 0 ? (
        filtered ? (
          <Empty title={t('knowledge.docs.noMatch')} />
        ) : (
          <Empty title={t('knowledge.docs.emptyTitle')}>
            <p className="small">
              {canWrite ? t('knowledge.docs.emptyText') : t('knowledge.docs.emptyViewer')}
            </p>
          </Empty>
        )
      ) : (
        <div className="table-wrap">
          <table className="kn-table">
            <caption className="visually-hidden">{t('knowledge.docs.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('knowledge.docs.col.name')}</th>
                <th scope="col">{t('knowledge.docs.col.status')}</th>
                <th scope="col" className="num">
                  {t('knowledge.docs.col.size')}
                </th>
                <th scope="col" className="num">
                  {t('knowledge.docs.col.pages')}
                </th>
                <th scope="col" className="num">
                  {t('knowledge.docs.col.chunks')}
                </th>
                <th scope="col">{t('knowledge.docs.col.updated')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('knowledge.docs.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {docs.map((d) => {
                const failure = ingestErrorText(d, t);
                const busy = replacing?.doc.id === d.id;
                return (
                  <tr key={d.id} data-doc-id={d.id}>
                    <td className="kn-name">
                      <Link to={`${base}/documents/${d.id}`}>{d.title}</Link>
                      <div className="muted small kn-sub">
                        {d.sourceType === 'url' && d.sourceUrl ? d.sourceUrl : d.filename}
                        {d.version > 1 ? ` · ${t('knowledge.docs.version', { n: d.version })}` : null}
                      </div>
                    </td>
                    <td>
                      <span className={statusBadge(d.status)} data-status={d.status}>
                        {t(statusKey[d.status])}
                      </span>
                      {!isSettled(d.status) ? (
                        <progress
                          className="kn-progress kn-progress-small"
                          max={100}
                          value={d.progress}
                          aria-label={t('knowledge.docs.progressLabel', { title: d.title })}
                        />
                      ) : null}
                      {failure ? <p className="field-error small kn-failure">{failure}</p> : null}
                    </td>
                    <td className="num">{formatBytes(d.sizeBytes, lang)}</td>
                    <td className="num">{d.pageCount == null ? '—' : formatNumber(d.pageCount)}</td>
                    <td className="num">{d.chunkCount == null ? '—' : formatNumber(d.chunkCount)}</td>
                    <td className="kn-date">{formatDate(d.updatedAt)}</td>
                    <td>
                      <div className="kn-row-actions">
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-label={t('knowledge.docs.downloadNamed', { title: d.title })}
                          onClick={() => void download(d)}
                        >
                          {t('knowledge.docs.download')}
                        </button>
                        {canWrite ? (
                          <>
                            <button
                              type="button"
                              className="btn btn-small"
                              disabled={replacing !== null}
                              aria-label={t('knowledge.docs.replaceNamed', { title: d.title })}
                              onClick={() => {
                                replaceTarget.current = d;
                                replaceInput.current?.click();
                              }}
                            >
                              {busy
                                ? t('knowledge.docs.replacing', { pct: replacing?.pct ?? 0 })
                                : t('knowledge.docs.replace')}
                            </button>
                            <button
                              type="button"
                              className="btn btn-small kn-danger-text"
                              aria-label={t('knowledge.docs.deleteNamed', { title: d.title })}
                              onClick={() => setToDelete(d)}
                            >
                              {t('action.delete')}
                            </button>
                          </>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
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

      {canWrite ? (
        <input
          ref={replaceInput}
          type="file"
          accept={ACCEPT}
          hidden
          aria-label={t('knowledge.docs.replaceFile')}
          onChange={(e) => {
            const file = e.target.files?.[0];
            const doc = replaceTarget.current;
            e.target.value = '';
            if (file && doc) void replace(doc, file);
          }}
        />
      ) : null}

      <ConfirmDialog
        open={toDelete !== null}
        message={toDelete ? t('knowledge.docs.confirmDelete', { title: toDelete.title }) : ''}
        confirmLabel={t('knowledge.docs.deleteConfirm')}
        busy={del.isPending}
        onConfirm={() => toDelete && del.mutate(toDelete)}
        onCancel={() => setToDelete(null)}
      />
    </section>
  );
}
