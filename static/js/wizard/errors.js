/**
 * GOV.UK-style errors: a summary at the top of the step, linking to each field
 * at fault, and the same message next to the field.
 */

/**
 * The error summary of `step` (a wizard step's <section>).
 * @param {HTMLElement} step
 * @returns {HTMLElement | null}
 */
function summaryOf(step) {
  return step.querySelector('[data-error-summary]');
}

/**
 * Shows `errors` in `step` (or clears them when empty) and focuses the summary
 * (unless `focus` is false: errors updated while the person fixes them).
 * @param {HTMLElement} step a wizard step's <section>
 * @param {Array<{field?: string, group?: string, message: string}>} errors `field`: the
 *   id of the element the summary links to; `group`: the id of the element whose
 *   message sits next to it (a fieldset), when not the field itself
 * @param {string} prefix "Error:", put before the page title while errors show
 * @param {{focus?: boolean}} [options]
 */
export function showErrors(step, errors, prefix, { focus = true } = {}) {
  clearErrors(step, prefix);
  const summary = summaryOf(step);
  if (!errors.length) return;
  const list = summary.querySelector('[data-error-list]');
  for (const { field, group, message } of errors) {
    const item = document.createElement('li');
    const target = field && document.getElementById(field);
    if (target) {
      const link = document.createElement('a');
      link.href = `#${field}`;
      link.textContent = message;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        target.focus();
      });
      item.append(link);
      markField(step, group ? document.getElementById(group) : target, message);
    } else {
      item.textContent = message;
    }
    list.append(item);
  }
  summary.hidden = false;
  document.title = `${prefix} ${document.title}`;
  if (focus) summary.focus();
}

/**
 * Whether `step` shows errors now.
 * @param {HTMLElement} step
 */
export function showsErrors(step) {
  const summary = summaryOf(step);
  return Boolean(summary && !summary.hidden);
}

/**
 * Puts `message` next to `target` and ties them together for assistive technology.
 * @param {HTMLElement} step
 * @param {HTMLElement} target
 * @param {string} message
 */
function markField(step, target, message) {
  /** @type {HTMLElement | null} */
  const inline = step.querySelector(`[data-error-for="${target.id}"]`);
  if (!inline) return;
  inline.textContent = message;
  inline.hidden = false;
  target.setAttribute('aria-invalid', 'true');
  const described = new Set((target.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
  described.add(inline.id);
  target.setAttribute('aria-describedby', [...described].join(' '));
}

/**
 * Removes the errors shown in `step`.
 * @param {HTMLElement} step
 * @param {string} prefix
 */
export function clearErrors(step, prefix) {
  const summary = summaryOf(step);
  if (!summary || summary.hidden) return;
  summary.hidden = true;
  summary.querySelector('[data-error-list]').replaceChildren();
  for (const inline of /** @type {NodeListOf<HTMLElement>} */ (step.querySelectorAll('[data-error-for]'))) {
    inline.hidden = true;
    const target = document.getElementById(inline.dataset.errorFor);
    target?.removeAttribute('aria-invalid');
    const described = (target?.getAttribute('aria-describedby') ?? '').split(' ')
      .filter((id) => id && id !== inline.id);
    if (described.length) target.setAttribute('aria-describedby', described.join(' '));
    else target?.removeAttribute('aria-describedby');
  }
  if (document.title.startsWith(`${prefix} `)) document.title = document.title.slice(prefix.length + 1);
}
