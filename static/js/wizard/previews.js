/**
 * Chosen files are called "File 1", "File 2"... while their previews and names are
 * hidden (see "Show previews" in the wizard, and the stylesheet): this keeps those
 * labels numbered as cards come and go, in the words the page gives in
 * `data-file-words` ("File {n}"), which a change of language may replace.
 */
const list = /** @type {HTMLElement | null} */ (document.querySelector('[data-file-cards]'));

function number() {
  if (!list) return;
  const words = list.dataset.fileWords ?? '{n}';
  [...list.children].forEach((card, index) => {
    for (const label of card.querySelectorAll('[data-file-label]')) {
      const text = words.replace('{n}', String(index + 1));
      if (label.textContent !== text) label.textContent = text;
    }
  });
}

if (list) {
  new MutationObserver(number).observe(list, {
    childList: true, attributes: true, attributeFilter: ['data-file-words'],
  });
}
