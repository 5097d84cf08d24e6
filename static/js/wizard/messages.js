/**
 * What the server hands the wizard, as JSON blocks of the page: its words, in the
 * page's language (<script type="application/json" id="wizard-messages">, see
 * openncii/wizard.py), and its rules (id="wizard-policy", see openncii/policy.py).
 * The scripts hold no text, limit or format list of their own.
 */

/** Reads the messages block of the page. */
export function loadMessages(doc = document) {
  return JSON.parse(doc.getElementById('wizard-messages').textContent);
}

/** Reads the policy block of the page: limits, PIN rules, formats, steps. */
export function loadPolicy(doc = document) {
  return JSON.parse(doc.getElementById('wizard-policy').textContent);
}

/**
 * A counted phrase in the form the catalog's plural rule gives `count`.
 * @param {{pluralRule: number[]}} messages the page's messages (their plural rule:
 *   the form of each number under its length; beyond, that of 100 + n % 100)
 * @param {string[]} forms the phrase's plural forms, with "{count}" for the number
 * @param {number} count
 */
export function plural(messages, forms, count) {
  const rule = messages.pluralRule;
  const form = rule[count < rule.length ? count : 100 + (count % 100)];
  return (forms[form] ?? forms.at(-1)).replaceAll('{count}', String(count));
}
