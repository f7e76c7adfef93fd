import { useState, type FormEvent } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { Ok } from '../../api/types';
import { useAuth } from '../../app/auth';
import type { Role } from '../../app/orgs';
import { useI18n } from '../../i18n/i18n';
import { CopyButton } from '../../ui/copy-button';
import { ConfirmDialog } from '../../ui/dialog';
import { SelectField, TextField } from '../../ui/forms';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { canAssignRole, roles, useOrgAccess, useRoleLabel } from './access';
import './orgs.css';

type Member = Ok<'/api/v1/orgs/{orgId}/members', 'get'>['data'][number];
type Invitation = Ok<'/api/v1/orgs/{orgId}/invitations', 'get'>['data'][number];

/** /orgs/:orgId/members: who belongs, their roles, invitations. Admin controls only for admins. */
export function Members() {
  const { t } = useI18n();
  const access = useOrgAccess();
  const isAdmin = access.atLeast('admin');
  return (
    <section className="page orgs-page">
      <div className="page-header">
        <h1>{t('members.title')}</h1>
      </div>
      <div className="orgs-sections">
        {isAdmin ? <InviteCard /> : null}
        <MembersTable />
        {isAdmin ? <Invitations /> : null}
      </div>
    </section>
  );
}

export function useMembers(orgId: string) {
  return useInfiniteQuery({
    queryKey: ['org', orgId, 'members'],
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/orgs/{orgId}/members', {
          params: { path: { orgId }, query: { limit: 100, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: orgId !== '',
  });
}

function MembersTable() {
  const { t, formatDate } = useI18n();
  const { me } = useAuth();
  const access = useOrgAccess();
  const label = useRoleLabel();
  const qc = useQueryClient();
  const toast = useToast();
  const members = useMembers(access.orgId);
  const [removing, setRemoving] = useState<Member | null>(null);
  const invalidate = () => {
    void qc.invalidateQueries({ queryKey: ['org', access.orgId, 'members'] });
    void qc.invalidateQueries({ queryKey: ['org', access.orgId, 'audit'] });
  };
  const changeRole = useMutation({
    mutationFn: (v: { member: Member; role: Role }) =>
      call(
        api.PATCH('/api/v1/orgs/{orgId}/members/{userId}', {
          params: { path: { orgId: access.orgId, userId: v.member.userId } },
          body: { role: v.role },
        }),
      ),
    onSuccess: (_r, v) => {
      toast(t('members.roleChanged', { name: v.member.name, role: label(v.role) }));
      invalidate();
    },
    onError: () => invalidate(),
  });
  const remove = useMutation({
    mutationFn: (m: Member) =>
      call(
        api.DELETE('/api/v1/orgs/{orgId}/members/{userId}', {
          params: { path: { orgId: access.orgId, userId: m.userId } },
        }),
      ),
    onSuccess: (_r, m) => {
      setRemoving(null);
      toast(t('members.removed', { name: m.name }));
      invalidate();
    },
    onError: () => setRemoving(null),
  });

  if (members.isPending) return <Loading />;
  if (members.error) return <ErrorState error={members.error} onRetry={() => void members.refetch()} />;
  const rows = members.data.pages.flatMap((p) => p.data);
  const mayManage = (m: Member) =>
    access.atLeast('admin') && m.userId !== me?.id && canAssignRole(access.role, m.role);

  return (
    <section aria-labelledby="members-list">
      <h2 id="members-list" className="visually-hidden">
        {t('members.title')}
      </h2>
      {changeRole.error ? <ErrorState error={changeRole.error} /> : null}
      {remove.error ? <ErrorState error={remove.error} /> : null}
      {rows.length === 0 ? (
        <Empty title={t('members.empty')} />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('members.name')}</th>
                <th scope="col">{t('members.email')}</th>
                <th scope="col">{t('orgs.role')}</th>
                <th scope="col">{t('members.joined')}</th>
                {access.atLeast('admin') ? <th scope="col">{t('members.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.userId} data-member={m.email}>
                  <td>
                    {m.name} {m.userId === me?.id ? <span className="badge">{t('orgs.you')}</span> : null}
                  </td>
                  <td>{m.email}</td>
                  <td>
                    {mayManage(m) ? (
                      <select
                        className="orgs-inline-select"
                        aria-label={t('members.roleOf', { name: m.name })}
                        value={m.role}
                        disabled={changeRole.isPending}
                        onChange={(e) => changeRole.mutate({ member: m, role: e.target.value as Role })}
                      >
                        {roles
                          .filter((r) => canAssignRole(access.role, r))
                          .map((r) => (
                            <option key={r} value={r}>
                              {label(r)}
                            </option>
                          ))}
                      </select>
                    ) : (
                      <span className="badge">{label(m.role)}</span>
                    )}
                  </td>
                  <td>{formatDate(m.joinedAt)}</td>
                  {access.atLeast('admin') ? (
                    <td>
                      {mayManage(m) ? (
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-label={t('members.removeLabel', { name: m.name })}
                          onClick={() => setRemoving(m)}
                        >
                          {t('members.remove')}
                        </button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {members.hasNextPage ? (
        <div className="actions">
          <button
            type="button"
            className="btn"
            disabled={members.isFetchingNextPage}
            onClick={() => void members.fetchNextPage()}
          >
            {t('action.loadMore')}
          </button>
        </div>
      ) : null}
      <ConfirmDialog
        open={removing !== null}
        message={t('members.removeConfirm', { name: removing?.name ?? '' })}
        confirmLabel={t('members.remove')}
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
        onCancel={() => setRemoving(null)}
      />
    </section>
  );
}

function InviteCard() {
  const { t } = useI18n();
  const access = useOrgAccess();
  const label = useRoleLabel();
  const qc = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const invite = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/orgs/{orgId}/invitations', {
          params: { path: { orgId: access.orgId } },
          body: { email: email.trim(), role },
        }),
      ),
    onSuccess: (r) => {
      setEmail('');
      toast(t('members.invite.sent', { email: r.invitation.email }));
      void qc.invalidateQueries({ queryKey: ['org', access.orgId, 'invitations'] });
      void qc.invalidateQueries({ queryKey: ['org', access.orgId, 'audit'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };
  return (
    <section className="card" aria-labelledby="members-invite">
      <h2 id="members-invite">{t('members.invite.title')}</h2>
      <form onSubmit={submit} className="orgs-inline-form">
        <div className="grow">
          <TextField
            label={t('members.invite.email')}
            type="email"
            autoComplete="off"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <SelectField
          label={t('orgs.role')}
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          options={roles
            .filter((r) => canAssignRole(access.role, r))
            .map((r) => ({ value: r, label: label(r) }))}
        />
        <button type="submit" className="btn btn-primary" disabled={invite.isPending}>
          {t('members.invite.submit')}
        </button>
      </form>
      {invite.error ? <ErrorState error={invite.error} /> : null}
      {invite.isSuccess ? (
        <div className="orgs-invite-link" role="status">
          <p>
            {t('members.invite.sent', { email: invite.data.invitation.email })} {t('members.invite.link')}
          </p>
          <div className="row">
            <input
              className="grow"
              readOnly
              aria-label={t('members.invite.linkLabel')}
              value={invite.data.inviteUrl}
              onFocus={(e) => e.currentTarget.select()}
            />
            <CopyButton text={invite.data.inviteUrl} />
          </div>
        </div>
      ) : null}
    </section>
  );
}

function Invitations() {
  const { t, formatDate } = useI18n();
  const access = useOrgAccess();
  const label = useRoleLabel();
  const qc = useQueryClient();
  const toast = useToast();
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const list = useQuery({
    queryKey: ['org', access.orgId, 'invitations'],
    queryFn: () =>
      call(
        api.GET('/api/v1/orgs/{orgId}/invitations', {
          params: { path: { orgId: access.orgId }, query: { limit: 100 } },
        }),
      ),
    enabled: access.orgId !== '',
  });
  const revoke = useMutation({
    mutationFn: (inv: Invitation) =>
      call(
        api.DELETE('/api/v1/orgs/{orgId}/invitations/{inviteId}', {
          params: { path: { orgId: access.orgId, inviteId: inv.id } },
        }),
      ),
    onSuccess: () => {
      setRevoking(null);
      toast(t('members.pending.revoked'));
      void qc.invalidateQueries({ queryKey: ['org', access.orgId, 'invitations'] });
      void qc.invalidateQueries({ queryKey: ['org', access.orgId, 'audit'] });
    },
    onError: () => setRevoking(null),
  });
  return (
    <section aria-labelledby="members-pending">
      <h2 id="members-pending">{t('members.pending.title')}</h2>
      {revoke.error ? <ErrorState error={revoke.error} /> : null}
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.data.length === 0 ? (
        <Empty title={t('members.pending.empty')} />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('members.email')}</th>
                <th scope="col">{t('orgs.role')}</th>
                <th scope="col">{t('members.pending.expires')}</th>
                <th scope="col">{t('members.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((inv) => (
                <tr key={inv.id} data-invitation={inv.email}>
                  <td>{inv.email}</td>
                  <td>{label(inv.role)}</td>
                  <td>{formatDate(inv.expiresAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={t('members.pending.revokeLabel', { email: inv.email })}
                      onClick={() => setRevoking(inv)}
                    >
                      {t('members.pending.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={revoking !== null}
        message={t('members.pending.revokeConfirm', { email: revoking?.email ?? '' })}
        confirmLabel={t('members.pending.revoke')}
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onCancel={() => setRevoking(null)}
      />
    </section>
  );
}
