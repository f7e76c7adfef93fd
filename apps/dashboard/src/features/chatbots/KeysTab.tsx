import { useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useCurrentOrg } from '../../app/orgs';
import { useI18n } from '../../i18n/i18n';
import { ConfirmDialog, Modal } from '../../ui/dialog';
import { SelectField, TextField } from '../../ui/forms';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { qk, useChatbotKeys, type ChatbotKey } from './chatbots.api';
import { forgetSecret, rememberSecret } from './secrets';
import { SecretDialog } from './SecretDialog';

const DAY = 24 * 3600;
/** Grace periods offered on rotation ('' = the server's KEY_ROTATION_GRACE). */
const GRACE = ['', '0', '3600', String(DAY), String(7 * DAY), String(30 * DAY)] as const;
const EXPIRY = ['', '30', '90', '365'] as const;

/** A chatbot's API keys: list for members; create, rotate (with grace) and revoke for admins. */
export function KeysTab() {
  const { t } = useI18n();
  const { orgId, atLeast } = useCurrentOrg();
  const { botId = '' } = useParams();
  const canRead = atLeast('member');
  const canManage = atLeast('admin');
  const keys = useChatbotKeys(orgId, botId, canRead);
  const qc = useQueryClient();
  const toast = useToast();
  const [secret, setSecret] = useState<{ value: string; name: string } | null>(null);
  const [rotating, setRotating] = useState<ChatbotKey | null>(null);
  const [revoking, setRevoking] = useState<ChatbotKey | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: qk.keys(orgId, botId) });

  const revoke = useMutation({
    mutationFn: (k: ChatbotKey) =>
      call(
        api.POST('/api/v1/orgs/{orgId}/chatbots/{botId}/keys/{keyId}/revoke', {
          params: { path: { orgId, botId, keyId: k.id } },
        }),
      ),
    onSuccess: (r) => {
      forgetSecret(botId, r.key.id);
      setRevoking(null);
      toast(t('chatbots.keys.revoked', { name: r.key.name }));
      void refresh();
    },
    onError: () => setRevoking(null),
  });

  if (!canRead) return <ErrorState error={new ApiError(403, 'forbidden', 'Forbidden')} />;
  const list = keys.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <div className="bot-keys">
      <h2>{t('chatbots.keys.title')}</h2>
      <p className="muted">{t('chatbots.keys.intro')}</p>
      {canManage ? (
        <CreateKeyForm
          orgId={orgId}
          botId={botId}
          onCreated={(name, value) => {
            setSecret({ name, value });
            void refresh();
          }}
        />
      ) : (
        <p className="notice">{t('chatbots.keys.adminOnly')}</p>
      )}
      {keys.isPending ? (
        <Loading />
      ) : keys.error ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : list.length === 0 ? (
        <Empty title={t('chatbots.keys.empty')} />
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('chatbots.keys.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('chatbots.keys.name')}</th>
                <th scope="col">{t('chatbots.keys.prefix')}</th>
                <th scope="col">{t('chatbots.keys.status')}</th>
                <th scope="col">{t('chatbots.keys.created')}</th>
                <th scope="col">{t('chatbots.keys.lastUsed')}</th>
                {canManage ? <th scope="col">{t('chatbots.keys.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.map((k) => (
                <KeyRow
                  key={k.id}
                  k={k}
                  canManage={canManage}
                  onRotate={() => setRotating(k)}
                  onRevoke={() => setRevoking(k)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoke.error ? <ErrorState error={revoke.error} /> : null}
      {keys.hasNextPage ? (
        <div className="actions">
          <button type="button" className="btn" onClick={() => void keys.fetchNextPage()}>
            {t('action.loadMore')}
          </button>
        </div>
      ) : null}

      <RotateDialog
        orgId={orgId}
        botId={botId}
        target={rotating}
        onClose={() => setRotating(null)}
        onRotated={(name, value) => {
          setRotating(null);
          setSecret({ name, value });
          void refresh();
        }}
      />
      <ConfirmDialog
        open={revoking !== null}
        message={
          revoking ? t('chatbots.keys.revokeConfirm', { name: revoking.name, prefix: revoking.prefix }) : ''
        }
        confirmLabel={t('chatbots.keys.revoke')}
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onCancel={() => setRevoking(null)}
      />
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
    </div>
  );
}

function KeyRow({
  k,
  canManage,
  onRotate,
  onRevoke,
}: {
  k: ChatbotKey;
  canManage: boolean;
  onRotate: () => void;
  onRevoke: () => void;
}) {
  const { t, formatDate } = useI18n();
  const live = k.status === 'active';
  return (
    <tr data-key-id={k.id}>
      <td>{k.name}</td>
      <td>
        <code>{k.prefix}…</code>
      </td>
      <td>
        <KeyStatus k={k} />
      </td>
      <td>{formatDate(k.createdAt)}</td>
      <td>
        {k.lastUsedAt ? formatDate(k.lastUsedAt) : <span className="muted">{t('chatbots.keys.never')}</span>}
      </td>
      {canManage ? (
        <td>
          {live ? (
            <div className="row key-actions">
              {!k.rotatedToId ? (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={onRotate}
                  aria-label={t('chatbots.keys.rotateNamed', { name: k.name, prefix: k.prefix })}
                >
                  {t('chatbots.keys.rotate')}
                </button>
              ) : null}
              <button
                type="button"
                className="btn btn-small btn-danger"
                onClick={onRevoke}
                aria-label={t('chatbots.keys.revokeNamed', { name: k.name, prefix: k.prefix })}
              >
                {t('chatbots.keys.revoke')}
              </button>
            </div>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}

function KeyStatus({ k }: { k: ChatbotKey }) {
  const { t, formatDate } = useI18n();
  if (k.status === 'revoked')
    return <span className="badge badge-danger">{t('chatbots.keys.status.revoked')}</span>;
  if (k.status === 'expired') return <span className="badge">{t('chatbots.keys.status.expired')}</span>;
  if (k.rotatedToId)
    return (
      <span className="badge badge-primary">
        {t('chatbots.keys.status.rotated', { date: k.expiresAt ? formatDate(k.expiresAt) : '—' })}
      </span>
    );
  return (
    <span className="badge badge-ok">
      {k.expiresAt
        ? t('chatbots.keys.status.activeUntil', { date: formatDate(k.expiresAt) })
        : t('chatbots.keys.status.active')}
    </span>
  );
}

function CreateKeyForm({
  orgId,
  botId,
  onCreated,
}: {
  orgId: string;
  botId: string;
  onCreated: (name: string, secret: string) => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState<(typeof EXPIRY)[number]>('');
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/orgs/{orgId}/chatbots/{botId}/keys', {
          params: { path: { orgId, botId } },
          body: {
            name: name.trim(),
            expiresAt: expiry ? new Date(Date.now() + Number(expiry) * DAY * 1000).toISOString() : undefined,
          },
        }),
      ),
    onSuccess: (r) => {
      rememberSecret(botId, { keyId: r.key.id, name: r.key.name, prefix: r.key.prefix, secret: r.secret });
      setName('');
      onCreated(r.key.name, r.secret);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="card key-create" onSubmit={submit} aria-label={t('chatbots.keys.create')}>
      <div className="row key-create-row">
        <div className="grow">
          <TextField
            label={t('chatbots.keys.newName')}
            hint={t('chatbots.keys.newNameHint')}
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <SelectField
          label={t('chatbots.keys.expiry')}
          value={expiry}
          onChange={(e) => setExpiry(e.target.value as (typeof EXPIRY)[number])}
          options={EXPIRY.map((d) => ({
            value: d,
            label: d ? t('chatbots.keys.expiryDays', { n: d }) : t('chatbots.keys.expiryNever'),
          }))}
        />
        <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>
          {t('chatbots.keys.create')}
        </button>
      </div>
      {create.error ? <ErrorState error={create.error} /> : null}
    </form>
  );
}

function RotateDialog({
  orgId,
  botId,
  target,
  onClose,
  onRotated,
}: {
  orgId: string;
  botId: string;
  target: ChatbotKey | null;
  onClose: () => void;
  onRotated: (name: string, secret: string) => void;
}) {
  const { t } = useI18n();
  const [grace, setGrace] = useState<(typeof GRACE)[number]>(String(DAY) as (typeof GRACE)[number]);
  const rotate = useMutation({
    mutationFn: (k: ChatbotKey) =>
      call(
        api.POST('/api/v1/orgs/{orgId}/chatbots/{botId}/keys/{keyId}/rotate', {
          params: { path: { orgId, botId, keyId: k.id } },
          body: grace === '' ? {} : { gracePeriodSeconds: Number(grace) },
        }),
      ),
    onSuccess: (r) => {
      rememberSecret(botId, { keyId: r.key.id, name: r.key.name, prefix: r.key.prefix, secret: r.secret });
      if (grace === '0') forgetSecret(botId, r.previous.id);
      rotate.reset();
      onRotated(r.key.name, r.secret);
    },
  });
  const graceLabel = (g: (typeof GRACE)[number]) => {
    switch (g) {
      case '':
        return t('chatbots.keys.grace.default');
      case '0':
        return t('chatbots.keys.grace.none');
      case '3600':
        return t('chatbots.keys.grace.hour');
      default:
        return t('chatbots.keys.grace.days', { n: Number(g) / DAY });
    }
  };
  return (
    <Modal
      open={target !== null}
      title={t('chatbots.keys.rotateTitle')}
      onClose={() => {
        rotate.reset();
        onClose();
      }}
    >
      {target ? (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            rotate.mutate(target);
          }}
        >
          <p>{t('chatbots.keys.rotateText', { name: target.name, prefix: target.prefix })}</p>
          <SelectField
            label={t('chatbots.keys.grace')}
            hint={t('chatbots.keys.graceHint')}
            value={grace}
            onChange={(e) => setGrace(e.target.value as (typeof GRACE)[number])}
            options={GRACE.map((g) => ({ value: g, label: graceLabel(g) }))}
          />
          {rotate.error ? <ErrorState error={rotate.error} /> : null}
          <div className="actions">
            <button type="button" className="btn" onClick={onClose}>
              {t('action.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={rotate.isPending}>
              {t('chatbots.keys.rotate')}
            </button>
          </div>
        </form>
      ) : null}
    </Modal>
  );
}
