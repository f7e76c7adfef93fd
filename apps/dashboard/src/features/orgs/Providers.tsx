import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { Ok } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { ConfirmDialog } from '../../ui/dialog';
import { Empty, ErrorState, Loading, QueryView } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { RequireRole, useOrgAccess } from './access';
import { ProviderForm, usePresetLabel, type Preset } from './ProviderForm';
import './orgs.css';

type Provider = Ok<'/api/v1/orgs/{orgId}/providers', 'get'>['data'][number];
type TestResult = Ok<'/api/v1/orgs/{orgId}/providers/{providerId}/test', 'post'>;

/** /orgs/:orgId/providers: the org's model providers and the model catalogue its chatbots choose from. */
export function Providers() {
  const { t } = useI18n();
  return (
    <section className="page orgs-page">
      <div className="page-header">
        <h1>{t('providers.title')}</h1>
      </div>
      <p className="muted">{t('providers.intro')}</p>
      <RequireRole least="member">
        <ProvidersBody />
      </RequireRole>
    </section>
  );
}

function ProvidersBody() {
  const { t } = useI18n();
  const access = useOrgAccess();
  const { orgId } = access;
  const list = useQuery({
    queryKey: ['org', orgId, 'providers'],
    queryFn: () =>
      call(api.GET('/api/v1/orgs/{orgId}/providers', { params: { path: { orgId }, query: { limit: 100 } } })),
  });
  const presets = list.data?.presets ?? [];
  return (
    <div className="orgs-sections">
      <section aria-labelledby="providers-list">
        <h2 id="providers-list">{t('providers.list')}</h2>
        <QueryView query={list}>
          {(data) =>
            data.data.length === 0 ? (
              <Empty title={t('providers.empty')} />
            ) : (
              <ul className="providers-list">
                {data.data.map((p) => (
                  <ProviderCard
                    key={p.id}
                    provider={p}
                    presets={presets}
                    canManage={access.atLeast('admin')}
                  />
                ))}
              </ul>
            )
          }
        </QueryView>
      </section>
      {access.atLeast('admin') && list.data ? (
        <section className="card" aria-labelledby="providers-add">
          <h2 id="providers-add">{t('providers.add')}</h2>
          <ProviderForm orgId={orgId} presets={presets} />
        </section>
      ) : null}
      <Catalogue />
    </div>
  );
}

function ProviderCard({
  provider: p,
  presets,
  canManage,
}: {
  provider: Provider;
  presets: Preset[];
  canManage: boolean;
}) {
  const { t } = useI18n();
  const { orgId } = useOrgAccess();
  const qc = useQueryClient();
  const toast = useToast();
  const [confirm, setConfirm] = useState(false);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['org', orgId, 'providers'] });
    void qc.invalidateQueries({ queryKey: ['org', orgId, 'models'] });
    void qc.invalidateQueries({ queryKey: ['org', orgId, 'audit'] });
  };
  const path = { orgId, providerId: p.id };
  const test = useMutation({
    mutationFn: () =>
      call(api.POST('/api/v1/orgs/{orgId}/providers/{providerId}/test', { params: { path }, body: {} })),
  });
  const sync = useMutation({
    mutationFn: () =>
      call(api.POST('/api/v1/orgs/{orgId}/providers/{providerId}/sync-models', { params: { path } })),
    onSuccess: (r) => {
      toast(t('providers.synced', { added: r.added.length, removed: r.removed.length }));
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => call(api.DELETE('/api/v1/orgs/{orgId}/providers/{providerId}', { params: { path } })),
    onSuccess: () => {
      setConfirm(false);
      toast(t('providers.deleted', { name: p.name }));
      refresh();
    },
    onError: () => setConfirm(false),
  });
  const labelOf = usePresetLabel();
  const presetLabel = labelOf(p.preset, presets.find((x) => x.id === p.preset)?.label ?? p.preset);
  return (
    <li className="card provider-card" data-provider={p.name}>
      <div className="provider-head">
        <h3>{p.name}</h3>
        <span className={`badge ${p.enabled ? 'badge-ok' : ''}`}>
          {p.enabled ? t('providers.enabled') : t('providers.disabled')}
        </span>
      </div>
      <dl className="orgs-facts">
        <dt>{t('providers.preset')}</dt>
        <dd>{presetLabel}</dd>
        <dt>{t('providers.baseUrl')}</dt>
        <dd className="break">
          <code>{p.baseUrl}</code>
        </dd>
        <dt>{t('providers.key')}</dt>
        <dd>
          {p.hasKey ? (
            <code>{p.keyHint ?? '••••'}</code>
          ) : (
            <span className="muted">{t('providers.noKey')}</span>
          )}
        </dd>
        <dt>{t('providers.models')}</dt>
        <dd>
          {t('providers.modelCount', { count: p.models.length })}
          {p.models.length > 0 ? (
            <span className="muted small"> — {p.models.map((m) => m.id).join(', ')}</span>
          ) : null}
        </dd>
      </dl>
      {canManage ? (
        <div className="row">
          <button
            type="button"
            className="btn btn-small"
            aria-label={t('providers.testLabel', { name: p.name })}
            disabled={test.isPending}
            onClick={() => test.mutate()}
          >
            {test.isPending ? t('providers.testing') : t('providers.test')}
          </button>
          <button
            type="button"
            className="btn btn-small"
            aria-label={t('providers.syncLabel', { name: p.name })}
            disabled={sync.isPending}
            onClick={() => sync.mutate()}
          >
            {t('providers.sync')}
          </button>
          <button
            type="button"
            className="btn btn-small btn-danger"
            aria-label={t('providers.deleteLabel', { name: p.name })}
            onClick={() => setConfirm(true)}
          >
            {t('action.delete')}
          </button>
        </div>
      ) : null}
      {test.data ? <TestReport result={test.data} /> : null}
      {test.error ? <ErrorState error={test.error} /> : null}
      {sync.error ? <ErrorState error={sync.error} /> : null}
      {remove.error ? <ErrorState error={remove.error} /> : null}
      <ConfirmDialog
        open={confirm}
        message={t('providers.deleteConfirm', { name: p.name })}
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setConfirm(false)}
      />
    </li>
  );
}

function TestReport({ result: r }: { result: TestResult }) {
  const { t } = useI18n();
  return (
    <div
      className={`provider-test ${r.ok ? 'provider-test-ok' : 'provider-test-failed'}`}
      role="status"
      data-ok={String(r.ok)}
    >
      <p>
        <strong>
          {r.ok ? t('providers.testOk', { ms: Math.round(r.latencyMs) }) : t('providers.testFailed')}
        </strong>
      </p>
      <ul>
        <li>
          {r.models.ok
            ? t('providers.testModels', { count: r.models.count ?? 0, ms: Math.round(r.models.latencyMs) })
            : t('providers.testModelsFailed', { error: r.models.error?.message ?? '' })}
        </li>
        {r.completion ? (
          <li>
            {r.completion.ok
              ? t('providers.testCompletion', {
                  model: r.completion.model,
                  ms: Math.round(r.completion.latencyMs),
                })
              : t('providers.testCompletionFailed', {
                  model: r.completion.model,
                  error: r.completion.error?.message ?? '',
                })}
          </li>
        ) : null}
      </ul>
    </div>
  );
}

function Catalogue() {
  const { t, formatNumber } = useI18n();
  const { orgId } = useOrgAccess();
  const models = useQuery({
    queryKey: ['org', orgId, 'models'],
    queryFn: () => call(api.GET('/api/v1/orgs/{orgId}/models', { params: { path: { orgId } } })),
  });
  return (
    <section aria-labelledby="providers-catalogue">
      <h2 id="providers-catalogue">{t('providers.catalogue')}</h2>
      <p className="muted">{t('providers.catalogueIntro')}</p>
      {models.isPending ? (
        <Loading />
      ) : models.error ? (
        <ErrorState error={models.error} onRetry={() => void models.refetch()} />
      ) : models.data.data.length === 0 ? (
        <Empty title={t('providers.catalogueEmpty')} />
      ) : (
        <div className="table-wrap">
          <table className="catalogue-table">
            <thead>
              <tr>
                <th scope="col">{t('providers.model')}</th>
                <th scope="col">{t('providers.provider')}</th>
                <th scope="col">{t('providers.vision')}</th>
                <th scope="col">{t('providers.tools')}</th>
                <th scope="col">{t('providers.context')}</th>
              </tr>
            </thead>
            <tbody>
              {models.data.data.map((m) => (
                <tr key={m.id} data-model={m.id}>
                  <td className="break">
                    <code>{m.model}</code>
                  </td>
                  <td>
                    {m.provider === 'builtin'
                      ? t('providers.builtin')
                      : m.provider === 'local'
                        ? t('providers.local')
                        : m.providerName}
                  </td>
                  <td>{m.vision ? t('providers.yes') : t('providers.no')}</td>
                  <td>{m.tools ? t('providers.yes') : t('providers.no')}</td>
                  <td>{formatNumber(m.contextWindow)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
