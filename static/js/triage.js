// Triage shortcuts: j/k move between tags, b confirm, x reject, Shift+B confirm all open
// suggestions, n save and next, u undo. Ignored while typing in a text field.
(function () {
  "use strict";
  const form = document.getElementById("triage-form");
  if (!form) return;
  const rows = Array.from(form.querySelectorAll("tr.triage-tag"));
  let current = -1;

  function focusRow(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows[current].focus();
    highlight(rows[current].dataset.tag);
  }
  function highlight(tag) {
    document.querySelectorAll("#triage-text mark").forEach((mark) => {
      mark.classList.toggle("active", mark.dataset.tag === tag);
    });
  }
  function choose(row, value) {
    const input = row.querySelector(`input[type=radio][value="${value}"]`);
    if (input) input.checked = true;
  }
  rows.forEach((row, index) => {
    row.addEventListener("focus", () => {
      current = index;
      highlight(row.dataset.tag);
    });
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.matches("input[type=text], input[type=search], textarea, select")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const row = rows[current];
    switch (event.key) {
      case "j":
        focusRow(current + 1);
        break;
      case "k":
        focusRow(current - 1);
        break;
      case "b":
        if (row) choose(row, "confirmed");
        break;
      case "x":
        if (row) choose(row, "rejected");
        break;
      case "B":
        rows.filter((r) => r.classList.contains("tag-suggested")).forEach((r) => choose(r, "confirmed"));
        break;
      case "n":
        form.querySelector("button[data-shortcut=n]").click();
        break;
      case "u": {
        const undo = document.querySelector("button[data-shortcut=u]");
        if (undo) undo.click();
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  });

})();
