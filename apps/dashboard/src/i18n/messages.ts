import { common } from './common.messages';
import { authMessages } from '../features/auth/auth.messages';
import { orgsMessages } from '../features/orgs/orgs.messages';
import { chatbotMessages } from '../features/chatbots/chatbots.messages';
import { chatMessages } from '../features/chat/chat.messages';
import { knowledgeMessages } from '../features/knowledge/knowledge.messages';

/**
 * Every feature's messages, merged. A feature adds one import and one entry to `all` (keys are namespaced by
 * feature, so tables never collide).
 */
const all = [common, authMessages, orgsMessages, chatbotMessages, chatMessages, knowledgeMessages] as const;

type Union<T> = T extends readonly (infer U)[] ? U : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
type EnOf<T> = T extends { en: infer E } ? E : never;

export type MessageKey = keyof UnionToIntersection<EnOf<Union<typeof all>>> & string;

export const tables: Record<'en' | 'id', Record<string, string>> = {
  en: Object.assign({}, ...all.map((m) => m.en)),
  id: Object.assign({}, ...all.map((m) => m.id)),
};
