// What a finger taps, smaller than 44 x 44 px. Run in the page by test_pages.py.
() => {
  const selector = [
    "button", "input:not([type=hidden]):not([type=radio]):not([type=checkbox])", "select",
    "textarea", "label.choice", ".field-checkbox label", ".site-header a", "footer a",
    ".post-meta a", ".post-states a", ".comment-date", ".state-link a", ".feed-link a",
    ".actions a", ".comment-actions a", ".share-links a", ".topic-filter a", ".pagination a",
    ".state-list a", ".breadcrumb a", ".account-menu a", ".week-posts a", ".up-next a",
  ].join(",");
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest(".hp-field, .visually-hidden") || el.classList.contains("skip-link")) {
      continue;
    }
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") continue;
    // A link inside a line of text keeps the width of its words (WCAG's inline
    // exception); it is still tall enough, and never narrower than 24 px.
    const inline = el.matches(".post-meta a, .post-states a, .comment-date, .state-link a");
    if (box.height < 44 || box.width < (inline ? 24 : 44)) {
      const text = (el.innerText || el.value || el.name || "").trim().slice(0, 30);
      small.push(`${el.tagName.toLowerCase()} "${text}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}
