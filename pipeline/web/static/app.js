// The raw-OCR toggle on a document page; everything else works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("toggle-raw");
  if (!button) return;
  const restored = document.getElementById("restored");
  const raw = document.getElementById("raw");
  button.addEventListener("click", () => {
    const showRaw = raw.hidden;
    raw.hidden = !showRaw;
    restored.hidden = showRaw;
    button.setAttribute("aria-pressed", String(showRaw));
    button.textContent = showRaw ? button.dataset.labelRestored : button.dataset.labelRaw;
  });
});
