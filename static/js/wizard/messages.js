/**
 * The wizard's words: rendered by the server, in the page's language, into
 * <script type="application/json" id="wizard-messages"> (see openncii/wizard.py).
 * This script holds no text of its own.
 */

/** Reads the messages block of the page. */
export function loadMessages(doc = document) {
  return JSON.parse(doc.getElementById('wizard-messages').textContent);
}

/**
 * A counted phrase: `forms` maps CLDR plural categories to texts with "{count}".
 * @param {Record<string, string>} forms
 * @param {number} count
 * @param {string} lang the page's language
 */
export function plural(forms, count, lang = document.documentElement.lang) {
  const category = new Intl.PluralRules(lang).select(count);
  return (forms[category] ?? forms.other).replaceAll('{count}', String(count));
}
