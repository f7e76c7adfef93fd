/**
 * Key secrets seen in this tab (a new chatbot's first key, keys created or rotated here), kept in memory only so
 * the embed preview can use one without asking the user to paste it. Never written to storage: a reload
 * forgets them, as the server promised ("shown once").
 */
export interface KnownSecret {
  keyId: string;
  name: string;
  prefix: string;
  secret: string;
}

const byBot = new Map<string, KnownSecret[]>();

export function rememberSecret(botId: string, s: KnownSecret): void {
  const list = (byBot.get(botId) ?? []).filter((k) => k.keyId !== s.keyId);
  byBot.set(botId, [s, ...list]);
}

export function forgetSecret(botId: string, keyId: string): void {
  byBot.set(
    botId,
    (byBot.get(botId) ?? []).filter((k) => k.keyId !== keyId),
  );
}

export function knownSecrets(botId: string): KnownSecret[] {
  return byBot.get(botId) ?? [];
}
