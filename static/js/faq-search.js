// Filters FAQ questions as the person types. Without JavaScript the same form
// searches on the server (?q=...), so this is only a faster path.
const input = document.querySelector("[data-faq-search]");
const status = document.querySelector("[data-faq-status]");

function filter() {
  const words = input.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const topic of document.querySelectorAll("[data-faq-topic]")) {
    let inTopic = 0;
    for (const question of topic.querySelectorAll("[data-faq-question]")) {
      const text = question.textContent.toLocaleLowerCase();
      const match = words.every((word) => text.includes(word));
      question.hidden = !match;
      inTopic += match;
    }
    topic.hidden = inTopic === 0;
    shown += inTopic;
  }
  status.textContent = words.length === 0 ? "" : shown ? status.dataset.some : status.dataset.none;
}

if (input && status && !new URLSearchParams(location.search).has("q")) {
  input.addEventListener("input", filter);
  input.form.addEventListener("submit", (event) => { event.preventDefault(); filter(); });
}
