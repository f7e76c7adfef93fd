/**
 * Messages live next to the feature that uses them. `defineMessages` makes the compiler check that the
 * Indonesian table has exactly the English keys, so no string can be missing in one language.
 */
export function defineMessages<const E extends Record<string, string>>(m: {
  en: E;
  id: { [K in keyof E]: string };
}): { en: E; id: { [K in keyof E]: string } } {
  return m;
}

export type Language = 'en' | 'id';
