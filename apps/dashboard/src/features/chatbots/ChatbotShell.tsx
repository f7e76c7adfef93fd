import { Link, NavLink, Outlet, useParams } from 'react-router';
import { useCurrentOrg, useOrgs } from '../../app/orgs';
import { useI18n, type MessageKey } from '../../i18n/i18n';
import { ErrorState, Loading } from '../../ui/states';
import { isMissing, useChatbot } from './chatbots.api';
import './chatbots.css';

const tabs: { to: string; key: MessageKey; minRole?: 'member' }[] = [
  { to: 'playground', key: 'chatbots.tab.playground' },
  { to: 'documents', key: 'chatbots.tab.documents' },
  { to: 'faqs', key: 'chatbots.tab.faqs' },
  { to: 'search', key: 'chatbots.tab.search' },
  { to: 'settings', key: 'chatbots.tab.settings' },
  { to: 'keys', key: 'chatbots.tab.keys', minRole: 'member' },
  { to: 'embed', key: 'chatbots.tab.embed' },
];

/** Header and tab bar of one chatbot; every tab (ours, knowledge's, chat's) renders in the outlet. */
export function ChatbotShell() {
  const { t } = useI18n();
  const { orgId, atLeast } = useCurrentOrg();
  const { botId = '' } = useParams();
  const bot = useChatbot(orgId, botId);
  // Tabs and controls depend on the role: wait for it, so nothing flickers from read-only to editable.
  const orgs = useOrgs();
  const back = (
    <Link to={`/orgs/${orgId}/chatbots`} className="bot-back">
      ← {t('chatbots.backToList')}
    </Link>
  );

  if (bot.isPending || orgs.isPending) return <Loading />;
  if (bot.error) {
    return (
      <section className="page">
        {back}
        {isMissing(bot.error) ? (
          <div className="state state-empty bot-missing">
            <h1>{t('chatbots.notFoundTitle')}</h1>
            <p>{t('chatbots.notFoundText')}</p>
            <Link className="btn btn-primary" to={`/orgs/${orgId}/chatbots`}>
              {t('chatbots.backToList')}
            </Link>
          </div>
        ) : (
          <ErrorState error={bot.error} onRetry={() => void bot.refetch()} />
        )}
      </section>
    );
  }
  const b = bot.data;
  const base = `/orgs/${orgId}/chatbots/${b.id}`;
  return (
    <section className="page bot-page">
      {back}
      <header className="bot-header">
        <div className="row">
          <h1>{b.name}</h1>
          {b.status === 'disabled' ? (
            <span className="badge badge-danger">{t('chatbots.disabled')}</span>
          ) : null}
        </div>
        {b.description ? <p className="muted bot-header-desc">{b.description}</p> : null}
      </header>
      <nav className="tabs bot-tabs" aria-label={t('chatbots.tabsLabel', { name: b.name })}>
        {tabs
          .filter((tab) => !tab.minRole || atLeast(tab.minRole))
          .map((tab) => (
            <NavLink key={tab.to} to={`${base}/${tab.to}`}>
              {t(tab.key)}
            </NavLink>
          ))}
      </nav>
      <Outlet />
    </section>
  );
}
