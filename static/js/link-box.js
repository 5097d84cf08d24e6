// "Link to this page" boxes: the read-only address works without JavaScript (select it,
// copy it); this adds a Copy button, and the site's own address when the server only
// knows the path (no PUBLIC_URL configured).
for (const box of document.querySelectorAll("[data-link-box]")) {
  const input = /** @type {HTMLInputElement} */ (box.querySelector("[data-link-box-url]"));
  const status = box.querySelector("[data-link-box-status]");
  if (!input || !status) continue;
  if (input.value.startsWith("/")) input.value = location.origin + input.value;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = box.getAttribute("data-copy-label");
  button.addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      status.textContent = box.getAttribute("data-copied");
    } catch {
      status.textContent = box.getAttribute("data-copy-failed");
    }
  });
  input.after(button);
}
