/**
 * Changing language inside the wizard keeps the person's place, files and PIN: the
 * page is not reloaded (that would drop every chosen file). The same page in the
 * other language is fetched -- a plain GET; nothing about the files is sent -- and
 * its words are copied onto this page wherever the two have the same structure.
 * What the script wrote itself (file cards, counts, errors) differs in structure,
 * so it is left alone here and redrawn by the wizard in the new language.
 */

/** Attributes that carry words or addresses of the page's language (never state). */
const WORDS = ['lang', 'dir', 'title', 'aria-label', 'alt', 'placeholder', 'content', 'href',
  'aria-current', 'data-file-words', 'data-done', 'data-sign-out', 'data-copied'];

/**
 * Calls `changed()` once the page's words are in the chosen language.
 * @param {() => void} changed
 */
export function keepPlaceOnLanguageChange(changed) {
  document.addEventListener('click', async (event) => {
    const target = /** @type {Element} */ (event.target);
    const link = /** @type {HTMLAnchorElement | null} */ (
      target.closest?.('.language-switcher a[hreflang]'));
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const switcher = link.closest('details');
    let fresh;
    try {
      const response = await fetch(link.href, { credentials: 'same-origin' });
      if (!response.ok) return;
      fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    } catch {
      return; // offline: stay as we are, with everything kept
    }
    relabel(document.documentElement, fresh.documentElement);
    const card = /** @type {HTMLTemplateElement | null} */ (
      fresh.querySelector('[data-card-template]'))?.content.firstElementChild;
    if (card) for (const mine of document.querySelectorAll('[data-file-cards] > li')) relabel(mine, card);
    history.replaceState(history.state, '', link.href);
    if (switcher) switcher.open = false;
    changed();
    switcher?.querySelector('summary')?.focus();
  });
}

/**
 * Copies the words of `theirs` onto `mine`, down every branch whose structure matches.
 * @param {Node} mine
 * @param {Node} theirs
 */
function relabel(mine, theirs) {
  if (mine instanceof Element && theirs instanceof Element) {
    for (const name of WORDS) {
      const value = theirs.getAttribute(name);
      if (value === null) mine.removeAttribute(name);
      else if (mine.getAttribute(name) !== value) mine.setAttribute(name, value);
    }
  }
  if (mine instanceof HTMLTemplateElement && theirs instanceof HTMLTemplateElement) {
    relabel(mine.content, theirs.content);
  }
  const ours = [...mine.childNodes];
  const others = [...theirs.childNodes];
  const same = ours.length === others.length
    && ours.every((node, i) => node.nodeName === others[i].nodeName);
  if (!same) return; // filled in by the script: it redraws this part itself
  ours.forEach((node, i) => {
    if (node.nodeType === Node.TEXT_NODE) {
      if (node.nodeValue !== others[i].nodeValue) node.nodeValue = others[i].nodeValue;
    } else {
      relabel(node, others[i]);
    }
  });
}
