// The /mappings pages, progressively enhanced: without this file they still work (the
// server filters by the query string; forms post normally).
// - Search, operation and "lossy only" filter the server-rendered rows as you type, by the
//   rule of bridge/web/view.py (Filters.keeps), and the query string follows, to share.
// - /mappings#row-id reveals that row (clearing filters that hide it) and highlights it.
// - Copy buttons on the explain page.
"use strict";

function words(text) {
  return text.toLowerCase().split(/[\s=]+/).filter(Boolean);
}

function countText(shown, total, active) {
  return active ? `${shown} of ${total} rows match` : `${total} rows`;
}

function setUpFilters(form) {
  const search = form.elements.q;
  const operation = form.elements.op || null;  // absent on /mappings/{Operation}
  const lossy = form.elements.lossy;
  const rows = Array.from(document.querySelectorAll("tr[data-search]"));
  const sections = Array.from(document.querySelectorAll("[data-section]"));
  const groups = Array.from(document.querySelectorAll("[data-group]"));
  const count = document.getElementById("ui-count");
  const noMatch = document.getElementById("ui-nomatch");
  const overview = document.getElementById("ui-overview");  // only while nothing is filtered
  form.querySelector("[data-submit]").hidden = true;  // filtering is live

  function apply() {
    const wanted = words(search.value);
    const op = operation ? operation.value : "";
    let shown = 0;
    for (const row of rows) {
      const keep = (!op || row.dataset.ops.split(" ").includes(op))
        && (!lossy.checked || row.dataset.lossy === "1")
        && wanted.every((word) => row.dataset.search.includes(word));
      row.hidden = !keep;
      shown += keep ? 1 : 0;
    }
    for (const section of sections) section.hidden = !section.querySelector("tr[data-search]:not([hidden])");
    for (const group of groups) group.hidden = !group.querySelector("[data-section]:not([hidden])");
    const active = wanted.length > 0 || op !== "" || lossy.checked;
    count.textContent = countText(shown, rows.length, active);
    if (overview) overview.hidden = active;
    noMatch.hidden = shown > 0;
    const params = new URLSearchParams();
    if (search.value.trim()) params.set("q", search.value.trim());
    if (op) params.set("op", op);
    if (lossy.checked) params.set("lossy", "1");
    const queryString = params.toString();
    history.replaceState(null, "", location.pathname + (queryString ? `?${queryString}` : "") + location.hash);
  }

  function reveal() {
    const row = document.getElementById(location.hash.slice(1));  // ids are [a-z0-9-]
    if (!row || !row.matches("tr[data-search]")) return;
    if (row.hidden) {
      search.value = "";
      if (operation) operation.value = "";
      lossy.checked = false;
      apply();
    }
    for (const other of document.querySelectorAll("tr.highlight")) other.classList.remove("highlight");
    row.classList.add("highlight");
    row.scrollIntoView({ block: "center" });
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
  window.addEventListener("hashchange", reveal);
  reveal();
}

async function copy(button) {
  const source = document.getElementById(button.dataset.copy);
  try {
    await navigator.clipboard.writeText(source.textContent);
    button.textContent = "Copied";
  } catch {
    // No clipboard API (plain http on another host): select the text for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents(source);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    button.textContent = document.execCommand("copy") ? "Copied" : "Press Ctrl+C";
  }
  setTimeout(() => { button.textContent = "Copy"; }, 1500);
}

function setUpExplain(form) {
  const textarea = form.elements.request;
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
}

const filters = document.getElementById("ui-filters");
if (filters) setUpFilters(filters);
const explainForm = document.getElementById("ui-explain");
if (explainForm) setUpExplain(explainForm);
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", () => copy(button));
}
