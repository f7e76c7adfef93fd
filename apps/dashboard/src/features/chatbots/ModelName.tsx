import { useCurrentOrg } from '../../app/orgs';
import { useI18n } from '../../i18n/i18n';
import { useModels, type CatalogueModel } from './chatbots.api';

export function modelLabel(m: CatalogueModel): string {
  return m.provider === 'builtin' ? m.providerName : `${m.model} · ${m.providerName}`;
}

/** A chatbot's model as people know it ("gpt-4o-mini · OpenAI"), or "Default" when none is chosen. */
export function ModelName({ model }: { model: string | null }) {
  const { t } = useI18n();
  const { orgId, atLeast } = useCurrentOrg();
  const models = useModels(orgId, atLeast('member') && model !== null);
  if (model === null) return <>{t('chatbots.modelDefaultShort')}</>;
  const known = models.data?.data.find((m) => m.id === model);
  return <>{known ? modelLabel(known) : model}</>;
}
