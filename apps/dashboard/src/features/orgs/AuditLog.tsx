import { useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { Ok } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { tables } from '../../i18n/messages';
import { TextField } from '../../ui/forms';
import { Empty, ErrorState, Loading } from '../../ui/states';
import type { Role } from '../../app/orgs';
import { RequireRole, roles, useOrgAccess, useRoleLabel } from './access';
import { useMembers } from './Members';
import './orgs.css';

type Entry = Ok<'/api/v1/orgs/{orgId}/audit-logs', 'get'>['data'][number];

/** Actions worth offering in the filter's suggestions (the filter takes any exact action). */
const knownActions = Object.keys(tables.en)
  .filter((k) => k.startsWith('audit.a.'))
  .map((k) => k.slice('audit.a.'.length))
  .sort();

/** /orgs/:orgId/audit: the org's audit trail, newest first, filterable by action, paged with "load more". */
export function AuditLog() {
  const { t } = useI18n();
  return (
    <section className="page orgs-page">
      <div className="page-header">
        <h1>{t('audit.title')}</h1>
      </div>
      <p className="muted">{t('audit.intro')}</p>
      <RequireRole least="admin">
        <AuditTable />
      </RequireRole>
    </section>
  );
}

function AuditTable() {
  const { t, formatDate } = useI18n();
  const { orgId } = useOrgAccess();
  const roleLabel = useRoleLabel();
  const [params, setParams] = useSearchParams();
  const action = params.get('action') ?? '';
  const [draft, setDraft] = useState(action);
  const members = useMembers(orgId);
  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const p of members.data?.pages ?? []) for (const u of p.data) m.set(u.userId, u.name);
    return m;
  }, [members.data]);

  const log = useInfiniteQuery({
    queryKey: ['org', orgId, 'audit', action],
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/orgs/{orgId}/audit-logs', {
          params: {
            path: { orgId },
            query: { limit: 25, ...(action ? { action } : {}), ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const v = draft.trim();
    setParams(v ? { action: v } : {}, { replace: true });
  };
  const clear = () => {
    setDraft('');
    setParams({}, { replace: true });
  };

  const actorText = (e: Entry) => {
    if (e.actorType === 'system') return t('audit.system');
    if (e.actorType === 'anonymous' || !e.actorId) return t('audit.anonymous');
    if (e.actorType === 'api_key') return t('audit.apiKey', { id: e.actorId });
    return names.get(e.actorId) ?? <code className="small">{e.actorId}</code>;
  };
  /** A translated word for a key of the log, or null when it has none (the raw key is shown then). */
  const known = (key: string) => (key in tables.en ? t(key as MessageKey) : null);
  const target = (e: Entry) => {
    if (!e.targetType) return '—';
    const name = e.targetType === 'user' && e.targetId ? names.get(e.targetId) : undefined;
    return (
      <>
        {known(`audit.t.${e.targetType}`) ?? e.targetType}
        {name ? `: ${name}` : null}
        {e.targetId && !name ? (
          <>
            <br />
            <code className="small">{e.targetId}</code>
          </>
        ) : null}
      </>
    );
  };
  // Roles read better in the user's language; a change reads "Viewer → Admin".
  const value = (k: string, v: unknown) =>
    ['from', 'to', 'role'].includes(k) && typeof v === 'string' && (roles as string[]).includes(v)
      ? roleLabel(v as Role)
      : typeof v === 'string'
        ? v
        : Array.isArray(v)
          ? v.join(', ')
          : JSON.stringify(v);
  const details = (e: Entry) => {
    const { from, to, ...rest } = e.metadata;
    const parts =
      from !== undefined && to !== undefined ? [`${value('from', from)} → ${value('to', to)}`] : [];
    for (const [k, v] of Object.entries(rest)) parts.push(`${known(`audit.m.${k}`) ?? k}: ${value(k, v)}`);
    return parts.join('; ');
  };

  const rows = log.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <>
      <form onSubmit={apply} className="orgs-inline-form" role="search">
        <div className="grow">
          <TextField
            label={t('audit.filterAction')}
            aria-describedby="audit-filter-hint"
            list="audit-actions"
            autoComplete="off"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <datalist id="audit-actions">
            {knownActions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </div>
        <button type="submit" className="btn btn-primary">
          {t('audit.apply')}
        </button>
        {action ? (
          <button type="button" className="btn" onClick={clear}>
            {t('audit.clear')}
          </button>
        ) : null}
      </form>
      <p className="hint audit-hint" id="audit-filter-hint">
        {t('audit.filterHint')}
      </p>
      {log.isPending ? (
        <Loading />
      ) : log.error ? (
        <ErrorState error={log.error} onRetry={() => void log.refetch()} />
      ) : rows.length === 0 ? (
        <Empty title={action ? t('audit.emptyFiltered') : t('audit.empty')} />
      ) : (
        <div className="table-wrap">
          <table className="audit-table">
            <thead>
              <tr>
                <th scope="col">{t('audit.time')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.target')}</th>
                <th scope="col">{t('audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td className="nowrap">
                    <time dateTime={e.createdAt}>{formatDate(e.createdAt)}</time>
                  </td>
                  <td>{actorText(e)}</td>
                  <td>
                    {known(`audit.a.${e.action}`) ? (
                      <>
                        {known(`audit.a.${e.action}`)}
                        <br />
                      </>
                    ) : null}
                    <code className="small">{e.action}</code>
                  </td>
                  <td className="break">{target(e)}</td>
                  <td className="break small muted">{details(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasNextPage ? (
        <div className="actions">
          <button
            type="button"
            className="btn"
            disabled={log.isFetchingNextPage}
            onClick={() => void log.fetchNextPage()}
          >
            {log.isFetchingNextPage ? t('state.loading') : t('action.loadMore')}
          </button>
        </div>
      ) : rows.length > 0 ? (
        <p className="muted small audit-end">{t('audit.end')}</p>
      ) : null}
    </>
  );
}
