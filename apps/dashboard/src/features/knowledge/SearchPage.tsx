import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useCurrentOrg } from '../../app/orgs';
import { useI18n, type MessageKey } from '../../i18n/i18n';
import { Checkbox, SelectField, TextField } from '../../ui/forms';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { Highlighted } from './highlight';
import { useSearch, type Hit, type SearchMode, type SearchRequest } from './knowledge.api';
import './knowledge.css';

const modes: { value: SearchMode; key: MessageKey; hint: MessageKey }[] = [
  { value: 'hybrid', key: 'knowledge.search.mode.hybrid', hint: 'knowledge.search.modeHint.hybrid' },
  { value: 'keyword', key: 'knowledge.search.mode.keyword', hint: 'knowledge.search.modeHint.keyword' },
  { value: 'semantic', key: 'knowledge.search.mode.semantic', hint: 'knowledge.search.modeHint.semantic' },
];

/** Labels of the score parts the API documents; a part it adds later shows under its own name. */
const scoreLabels: Record<string, MessageKey> = {
  bm25: 'knowledge.search.score.bm25',
  vector: 'knowledge.search.score.vector',
  fused: 'knowledge.search.score.fused',
};

/**
 * A hit's score breakdown exactly as the API returns it (its parts in its order), then the ranking score when
 * it is not already one of them.
 */
export function scoreRows(h: Hit): { key: string; value: number }[] {
  const parts = Object.entries(h.scores as Record<string, number | undefined>)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([key, value]) => ({ key, value }));
  return parts.some((p) => p.value === h.score) ? parts : [...parts, { key: 'score', value: h.score }];
}

const sourceKey: Record<Hit['source'], MessageKey> = {
  document: 'knowledge.search.source.document',
  faq: 'knowledge.search.source.faq',
  business: 'knowledge.search.source.business',
  catalogue: 'knowledge.search.source.catalogue',
};

/** Try the chatbot's retrieval: what a question finds, per mode, and why (the score of each signal). */
export function SearchPage() {
  const { t, lang } = useI18n();
  const { orgId } = useCurrentOrg();
  const { botId = '' } = useParams();
  const [query, setQuery] = useState('');
  const [mode, setMode] = useState<SearchMode>('hybrid');
  const [topK, setTopK] = useState('10');
  const [expand, setExpand] = useState(true);
  const [req, setReq] = useState<SearchRequest | null>(null);
  const search = useSearch(orgId, botId, req);
  const base = `/orgs/${orgId}/chatbots/${botId}`;
  const nf = new Intl.NumberFormat(lang === 'id' ? 'id-ID' : 'en-GB', {
    minimumFractionDigits: 4,
    maximumFractionDigits: 4,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const q = query.trim();
    if (!q) return;
    const next = { query: q, mode, topK: Number(topK), expand };
    if (JSON.stringify(next) === JSON.stringify(req)) void search.refetch();
    else setReq(next);
  };
  const modeInfo = modes.find((m) => m.value === mode)!;

  return (
    <section className="kn-page" aria-labelledby="kn-search-title">
      <div className="page-header">
        <h2 id="kn-search-title">{t('knowledge.search.title')}</h2>
      </div>
      <p className="muted">{t('knowledge.search.intro')}</p>
      <form className="kn-search-form card" onSubmit={submit} role="search">
        <TextField
          label={t('knowledge.search.query')}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          maxLength={2000}
          required
        />
        <div className="kn-search-opts">
          <SelectField
            label={t('knowledge.search.mode')}
            hint={t(modeInfo.hint)}
            value={mode}
            onChange={(e) => setMode(e.target.value as SearchMode)}
            options={modes.map((m) => ({ value: m.value, label: t(m.key) }))}
          />
          <SelectField
            label={t('knowledge.search.topK')}
            value={topK}
            onChange={(e) => setTopK(e.target.value)}
            options={['5', '10', '20', '50'].map((v) => ({ value: v, label: v }))}
          />
          <Checkbox
            label={t('knowledge.search.expand')}
            checked={expand}
            onChange={(e) => setExpand(e.target.checked)}
          />
        </div>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={!query.trim() || search.isFetching}>
            {t('action.search')}
          </button>
        </div>
      </form>

      {req === null ? (
        <p className="muted kn-search-idle">{t('knowledge.search.idle')}</p>
      ) : search.isPending ? (
        <Loading />
      ) : search.error ? (
        <ErrorState error={search.error} onRetry={() => void search.refetch()} />
      ) : (
        <section className="kn-results" aria-labelledby="kn-results-title" aria-busy={search.isFetching}>
          <h3 id="kn-results-title">
            {t('knowledge.search.results', {
              n: search.data.hits.length,
              mode: t(modes.find((m) => m.value === search.data.mode)!.key),
            })}
          </h3>
          {search.data.query.terms.length > 0 || search.data.query.expansion.length > 0 ? (
            <div className="kn-terms small">
              {search.data.query.terms.length > 0 ? (
                <p>
                  <span className="muted">{t('knowledge.search.terms')}: </span>
                  {search.data.query.terms.map((term) => (
                    <code key={term} className="kn-term">
                      {term}
                    </code>
                  ))}
                </p>
              ) : null}
              {search.data.query.expansion.length > 0 ? (
                <p>
                  <span className="muted">
                    {t('knowledge.search.expansion', {
                      pct: Math.round(search.data.query.feedbackWeight * 100),
                    })}
                    :{' '}
                  </span>
                  {search.data.query.expansion.map((x) => (
                    <code key={x.term} className="kn-term" title={x.source}>
                      {x.term} {nf.format(x.weight)}
                    </code>
                  ))}
                </p>
              ) : null}
            </div>
          ) : null}
          {search.data.hits.length === 0 ? (
            <Empty title={t('knowledge.search.noHits')} />
          ) : (
            <ol className="kn-hits">
              {search.data.hits.map((h) => (
                <li key={`${h.source}:${h.chunkId}`} className="kn-hit card" data-chunk-id={h.chunkId}>
                  <div className="kn-hit-head">
                    <span className="kn-rank" aria-hidden="true">
                      {h.rank}
                    </span>
                    <span className="visually-hidden">{t('knowledge.search.rank', { n: h.rank })}</span>
                    <div className="grow">
                      <h4 className="kn-hit-title">{h.documentTitle}</h4>
                      <p className="muted small kn-hit-meta">
                        <span className="badge">{t(sourceKey[h.source])}</span>
                        {h.page != null ? <span>{t('knowledge.viewer.page', { page: h.page })}</span> : null}
                        {h.heading ? <span>{h.heading}</span> : null}
                      </p>
                    </div>
                  </div>
                  <p className="kn-snippet">
                    <Highlighted html={h.highlight} />
                  </p>
                  <div className="kn-hit-foot">
                    <span className="visually-hidden">{t('knowledge.search.scores')}</span>
                    <dl className="kn-scores">
                      {scoreRows(h).map((p) => (
                        <div key={p.key} data-score={p.key}>
                          <dt>
                            {p.key === 'score'
                              ? t('knowledge.search.score.final')
                              : scoreLabels[p.key]
                                ? t(scoreLabels[p.key]!)
                                : p.key}
                          </dt>
                          <dd title={String(p.value)}>{nf.format(p.value)}</dd>
                        </div>
                      ))}
                    </dl>
                    <div className="kn-hit-actions">
                      {h.source === 'document' && h.documentId ? (
                        <Link
                          className="btn btn-small"
                          to={`${base}/documents/${h.documentId}?chunk=${encodeURIComponent(h.chunkId)}`}
                          aria-label={t('knowledge.search.openNamed', { title: h.documentTitle, n: h.rank })}
                        >
                          {t('knowledge.search.open')}
                        </Link>
                      ) : h.source === 'faq' ? (
                        <Link
                          className="btn btn-small"
                          to={`${base}/faqs?q=${encodeURIComponent(h.documentTitle.slice(0, 100))}`}
                          aria-label={t('knowledge.search.openFaqNamed', { n: h.rank })}
                        >
                          {t('knowledge.search.openFaq')}
                        </Link>
                      ) : null}
                    </div>
                  </div>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </section>
  );
}
