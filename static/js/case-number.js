// Confirmation page: copy the case number to the clipboard, or print the page.
// The buttons stay hidden when JavaScript is off (the number can still be written down).
for (const block of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("[data-needs-js]"))) {
  block.hidden = false;
}

for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll("[data-copy]"))) {
  button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.copy).textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = button.dataset.copied;
    } catch {
      window.getSelection().selectAllChildren(document.getElementById(button.dataset.copy));
    }
  });
}

for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
