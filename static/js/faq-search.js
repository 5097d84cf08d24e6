// Filters FAQ questions as the person types. The server decides what matches (synonyms,
// word stems: see openncii/helpdesk/faqsearch.py) and answers with the questions'
// anchors; without JavaScript the same form searches on the server (?q=...).
const input = /** @type {HTMLInputElement | null} */ (document.querySelector("[data-faq-search]"));
const statusLine = /** @type {HTMLElement | null} */ (document.querySelector("[data-faq-status]"));
const lostLink = /** @type {HTMLElement | null} */ (document.querySelector("[data-faq-lost]"));
let latest = 0;

/** @param {Set<string> | null} found the anchors to show; null shows every question */
function show(found) {
  if (!statusLine) return;
  let shown = 0;
  for (const topic of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("[data-faq-topic]"))) {
    let inTopic = 0;
    for (const question of /** @type {NodeListOf<HTMLElement>} */ (topic.querySelectorAll("[data-faq-question]"))) {
      const match = found === null || found.has(question.id);
      question.hidden = !match;
      inTopic += Number(match);
    }
    topic.hidden = inTopic === 0;
    shown += inTopic;
  }
  statusLine.textContent = found === null ? "" : shown ? statusLine.dataset.some ?? "" : statusLine.dataset.none ?? "";
  if (lostLink) lostLink.hidden = found === null || shown > 0;
}

async function filter() {
  if (!input) return;
  const query = input.value.trim();
  const ticket = ++latest;
  if (!query) return show(null);
  const url = new URL(`${input.form?.action}/search.json`, location.href);
  url.searchParams.set("q", query);
  try {
    const response = await fetch(url);
    const answer = await response.json();
    if (ticket === latest) show(new Set(answer.questions));
  } catch {
    // Offline or refused: the search button still searches on the server.
  }
}

if (input && statusLine && !new URLSearchParams(location.search).has("q")) {
  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(filter, 150);
  });
  input.form?.addEventListener("submit", (event) => { event.preventDefault(); filter(); });
  // The link to the lost-PIN answer shows every question again, so that it can be seen.
  lostLink?.addEventListener("click", () => { input.value = ""; show(null); });
}
