import { useEffect, useRef } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useCurrentOrg } from '../../app/orgs';
import { useI18n } from '../../i18n/i18n';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { downloadDocument } from './DocumentsPage';
import { formatBytes, ingestErrorText, statusBadge, statusKey } from './format';
import { isSettled, kk, useChunks, useDocument, type Chunk } from './knowledge.api';
import './knowledge.css';

/**
 * One document: its metadata and its chunks in order, each with its page. `?chunk=<id>` (the playground's
 * citations link here) loads pages until that chunk appears, then scrolls to it, focuses and marks it.
 */
export function DocumentViewer() {
  const { t, lang, formatDate, formatNumber, errorText } = useI18n();
  const { orgId } = useCurrentOrg();
  const { botId = '', docId = '' } = useParams();
  const [params] = useSearchParams();
  const cited = params.get('chunk');
  const qc = useQueryClient();
  const toast = useToast();
  const doc = useDocument(orgId, botId, docId);
  const version = doc.data ? (doc.data.indexedVersion ?? doc.data.version) : null;
  const chunks = useChunks(orgId, botId, docId, version);
  const citedRef = useRef<HTMLElement>(null);
  const scrolledTo = useRef<string | null>(null);
  const base = `/orgs/${orgId}/chatbots/${botId}`;

  // When ingestion finishes the chunk list changes: read it again (the document query polls until then).
  const status = doc.data?.status;
  useEffect(() => {
    if (status && isSettled(status))
      void qc.invalidateQueries({ queryKey: kk.chunks(orgId, botId, docId, version) });
  }, [status]);

  const all: Chunk[] = chunks.data?.pages.flatMap((p) => p.data) ?? [];
  const found = cited ? all.some((c) => c.id === cited) : false;

  // The cited chunk may be far down: keep loading pages until it shows up or the document ends.
  useEffect(() => {
    if (cited && !found && chunks.hasNextPage && !chunks.isFetchingNextPage) void chunks.fetchNextPage();
  }, [cited, found, chunks.hasNextPage, chunks.isFetchingNextPage]);

  useEffect(() => {
    if (!cited || !found || scrolledTo.current === cited || !citedRef.current) return;
    scrolledTo.current = cited;
    citedRef.current.scrollIntoView({ block: 'center' });
    citedRef.current.focus({ preventScroll: true });
  }, [cited, found]);

  if (doc.isPending) return <Loading />;
  if (doc.error) return <ErrorState error={doc.error} onRetry={() => void doc.refetch()} />;
  const d = doc.data;
  const failure = ingestErrorText(d, t);
  const searchingCited = cited && !found && (chunks.isPending || chunks.hasNextPage);

  return (
    <section className="kn-page kn-viewer" aria-labelledby="kn-viewer-title">
      <Link to={`${base}/documents`} className="kn-back">
        ← {t('knowledge.viewer.back')}
      </Link>
      <div className="page-header">
        <h2 id="kn-viewer-title">{d.title}</h2>
        <div className="actions">
          <button
            type="button"
            className="btn btn-small"
            onClick={() =>
              void downloadDocument(orgId, botId, d).catch((err: unknown) => toast(errorText(err), 'error'))
            }
          >
            {t('knowledge.docs.download')}
          </button>
        </div>
      </div>

      <dl className="kn-meta card">
        <div>
          <dt>{t('knowledge.viewer.status')}</dt>
          <dd>
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
            {failure ? <p className="field-error small">{failure}</p> : null}
          </dd>
        </div>
        <div>
          <dt>{d.sourceType === 'url' ? t('knowledge.viewer.source') : t('knowledge.viewer.file')}</dt>
          <dd className="kn-break">
            {d.sourceType === 'url' && d.sourceUrl ? (
              <a href={d.sourceUrl} target="_blank" rel="noreferrer noopener">
                {d.sourceUrl}
              </a>
            ) : (
              d.filename
            )}
          </dd>
        </div>
        <div>
          <dt>{t('knowledge.viewer.type')}</dt>
          <dd>{d.mimeType}</dd>
        </div>
        <div>
          <dt>{t('knowledge.docs.col.size')}</dt>
          <dd>{formatBytes(d.sizeBytes, lang)}</dd>
        </div>
        <div>
          <dt>{t('knowledge.docs.col.pages')}</dt>
          <dd>{d.pageCount == null ? '—' : formatNumber(d.pageCount)}</dd>
        </div>
        <div>
          <dt>{t('knowledge.docs.col.chunks')}</dt>
          <dd>{d.chunkCount == null ? '—' : formatNumber(d.chunkCount)}</dd>
        </div>
        <div>
          <dt>{t('knowledge.viewer.language')}</dt>
          <dd>{d.language ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('knowledge.viewer.version')}</dt>
          <dd>{formatNumber(d.version)}</dd>
        </div>
        {d.tags.length > 0 ? (
          <div>
            <dt>{t('knowledge.viewer.tags')}</dt>
            <dd>
              {d.tags.map((tag) => (
                <span key={tag} className="badge kn-tag">
                  {tag}
                </span>
              ))}
            </dd>
          </div>
        ) : null}
        <div>
          <dt>{t('knowledge.viewer.created')}</dt>
          <dd>{formatDate(d.createdAt)}</dd>
        </div>
        <div>
          <dt>{t('knowledge.docs.col.updated')}</dt>
          <dd>{formatDate(d.updatedAt)}</dd>
        </div>
        <div>
          <dt>{t('knowledge.viewer.indexed')}</dt>
          <dd>{d.indexedAt ? formatDate(d.indexedAt) : '—'}</dd>
        </div>
      </dl>

      <h3>{t('knowledge.viewer.chunks')}</h3>
      {cited && !found && !searchingCited && !chunks.error ? (
        <p className="kn-notice" role="status">
          {t('knowledge.viewer.citedMissing')}
        </p>
      ) : null}
      {chunks.isPending || searchingCited ? (
        <Loading />
      ) : chunks.error ? (
        <ErrorState error={chunks.error} onRetry={() => void chunks.refetch()} />
      ) : null}
      {!chunks.isPending && !chunks.error && all.length === 0 ? (
        <Empty
          title={isSettled(d.status) ? t('knowledge.viewer.noChunks') : t('knowledge.viewer.chunksPending')}
        />
      ) : null}
      {all.length > 0 ? (
        <ol className="kn-chunks">
          {all.map((c) => {
            const isCited = c.id === cited;
            const Head = isCited ? 'p' : 'h4';
            return (
              <li key={c.id}>
                <article
                  id={`chunk-${c.id}`}
                  ref={isCited ? citedRef : undefined}
                  tabIndex={isCited ? -1 : undefined}
                  aria-current={isCited ? 'true' : undefined}
                  aria-labelledby={`chunk-${c.id}-h`}
                  className={`kn-chunk${isCited ? ' kn-chunk-cited' : ''}`}
                  data-chunk-id={c.id}
                >
                  {isCited ? (
                    <h4 id={`chunk-${c.id}-h`} className="kn-cited-label">
                      {t('knowledge.viewer.cited')}
                    </h4>
                  ) : null}
                  <Head id={isCited ? undefined : `chunk-${c.id}-h`} className="kn-chunk-head">
                    {t('knowledge.viewer.chunkN', { n: c.ordinal + 1 })}
                    {c.page != null ? (
                      <span className="kn-page-no"> · {t('knowledge.viewer.page', { page: c.page })}</span>
                    ) : null}
                    {c.heading ? <span className="muted"> · {c.heading}</span> : null}
                  </Head>
                  <p className="kn-chunk-text">{c.text}</p>
                  <p className="muted small">
                    {t('knowledge.viewer.tokens', { n: formatNumber(c.tokenCount) })}
                  </p>
                </article>
              </li>
            );
          })}
        </ol>
      ) : null}
      {chunks.hasNextPage && !searchingCited ? (
        <div className="actions">
          <button
            type="button"
            className="btn"
            disabled={chunks.isFetchingNextPage}
            onClick={() => void chunks.fetchNextPage()}
          >
            {t('action.loadMore')}
          </button>
        </div>
      ) : null}
    </section>
  );
}
