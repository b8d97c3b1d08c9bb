// Tag chips with the catalogue search, for forms other than filing (a barrier's tags), and the
// one catalogue match rule that filing.js uses too. Without this script the form still works:
// chosen tags are checkboxes, and more can be typed by label separated by ";".
(function () {
  "use strict";

  // Every word of the query must occur in the entry's words (label, name, title; made on the
  // server by catalogue.selectors.tag_search_texts): a number as a whole word, any other word
  // anywhere, as Swedish compounds hide words ("offentlighets", "sekretess").
  function searchWords(value) {
    return value.toLowerCase().replace(/[^\p{L}\p{N}_§]+/gu, " ").trim();
  }
  function matches(entry, query) {
    const text = entry.search || searchWords(entry.label + " " + entry.hint + " " + entry.id);
    const tokens = new Set(text.split(" "));
    return searchWords(query)
      .split(" ")
      .every((word) => (/^\d+$/.test(word) ? tokens.has(word) : text.includes(word)));
  }
  // One result of the catalogue search: the label with its hint, picked by a click.
  function optionItem(entry, onPick) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "tag-option";
    button.textContent = entry.label;
    if (entry.hint) {
      const hint = document.createElement("small");
      hint.textContent = " " + entry.hint;
      button.append(hint);
    }
    button.addEventListener("click", () => onPick(entry));
    item.append(button);
    return item;
  }
  window.KnutpunktTags = { matches: matches, optionItem: optionItem };

  function enhance(field) {
    const name = field.dataset.name;
    const catalogue = JSON.parse(document.getElementById("tag-catalogue-data").textContent);
    const texts = JSON.parse(document.getElementById("tag-chips-texts").textContent);
    const ui = field.querySelector(".chips-ui");
    const chipList = ui.querySelector(".chips");
    const results = ui.querySelector(".tag-search-results");
    const search = field.querySelector(".tag-chips-add");
    const chosen = new Map(); // id -> label

    field.querySelectorAll(".tag-chip-seeds input:checked").forEach((box) => {
      chosen.set(box.value, box.closest("label").textContent.trim());
    });
    field.querySelector(".tag-chip-seeds").remove();
    search.removeAttribute("name"); // the chips carry the tags now; the box only searches
    search.type = "search";
    search.setAttribute("aria-controls", "tag-search-results");
    results.id = "tag-search-results";
    chipList.id = "chips";
    ui.prepend(chipList);
    ui.append(search, results);
    ui.hidden = false;

    function announce(message) {
      results.replaceChildren();
      const line = document.createElement("li");
      line.className = "visually-hidden";
      line.textContent = message;
      results.append(line);
    }
    function render() {
      chipList.replaceChildren();
      for (const [id, label] of chosen) {
        const item = document.createElement("li");
        item.className = "chip";
        const hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = name;
        hidden.value = id;
        const text = document.createElement("span");
        text.className = "chip-label";
        text.textContent = label;
        text.title = id;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "chip-remove";
        remove.setAttribute("aria-label", texts.remove + " " + label);
        remove.textContent = "×";
        remove.addEventListener("click", () => {
          chosen.delete(id);
          render();
          announce(texts.removed + ": " + label);
          search.focus();
        });
        item.append(hidden, text, remove);
        chipList.append(item);
      }
    }
    function showMatches() {
      results.replaceChildren();
      if (search.value.trim().length < 2) return;
      const found = catalogue
        .filter((entry) => !chosen.has(entry.id) && matches(entry, search.value))
        .slice(0, 8);
      if (!found.length) {
        const none = document.createElement("li");
        none.textContent = texts.noMatch;
        results.append(none);
        return;
      }
      for (const entry of found) {
        const item = optionItem(entry, () => {
          chosen.set(entry.id, entry.label);
          search.value = "";
          render();
          announce(texts.added + ": " + entry.label);
          search.focus();
        });
        results.append(item);
      }
    }
    search.addEventListener("input", showMatches);
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter picks the first match, never submits
        const first = results.querySelector("button");
        if (first) first.click();
      }
    });
    render();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".tag-chips-field").forEach(enhance);
  });
})();
