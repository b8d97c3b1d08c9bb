// Knutpunkt filing form: live tag chips from the tagger, catalogue search, and autosaved drafts.
// The form works without this script (preview step, server-side validation); this only adds speed.
(function () {
  "use strict";
  const form = document.getElementById("deviation-form");
  if (!form) return;
  const texts = JSON.parse(document.getElementById("filing-texts").textContent);
  const catalogue = JSON.parse(document.getElementById("tag-catalogue-data").textContent);
  const byId = new Map(catalogue.map((entry) => [entry.id, entry]));
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const description = form.querySelector("[name=description]");
  const dateInput = form.querySelector("[name=occurred_on]");
  const draftInput = form.querySelector("input[name=draft]");
  const status = document.getElementById("draft-status");
  const piiLive = document.getElementById("pii-live");
  const picker = document.getElementById("tag-picker");
  const chipsUi = picker.querySelector(".chips-ui");
  const chipList = document.getElementById("chips");
  const search = document.getElementById("tag-search");
  const results = document.getElementById("tag-search-results");

  // --- Chips -------------------------------------------------------------------------------
  // chosen: id -> {label, explanation, suggested}; dismissed: suggestions the user removed.
  const chosen = new Map();
  const dismissed = new Set();
  let edited = Boolean(form.querySelector("input[name=tags_edited]"));
  let syncOnly = edited;

  function seedChips() {
    form.querySelectorAll("input.chip-seed").forEach((input) => {
      chosen.set(input.value, { label: input.dataset.label, explanation: "", suggested: false });
      input.remove();
    });
    const list = document.getElementById("suggestion-list");
    if (list) {
      list.querySelectorAll("input[type=checkbox]").forEach((box) => {
        const why = box.closest("li").querySelector(".chip-why");
        const entry = byId.get(box.value);
        if (box.checked) {
          chosen.set(box.value, {
            // A reference not in the catalogue yet keeps the label the server built for it.
            label: entry ? entry.label : box.closest("label").textContent.trim(),
            explanation: why ? why.textContent : "",
            suggested: true,
          });
        } else {
          dismissed.add(box.value);
        }
      });
      list.remove();
    }
    form.querySelectorAll("input[name=tags_edited]").forEach((input) => input.remove());
    const flag = document.createElement("input");
    flag.type = "hidden";
    flag.name = "tags_edited";
    flag.value = "on";
    form.appendChild(flag);
    edited = true;
  }

  function renderChips() {
    chipList.replaceChildren();
    for (const [id, chip] of chosen) {
      const item = document.createElement("li");
      item.className = "chip" + (chip.suggested ? " chip-suggested" : "");
      const hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "tags";
      hidden.value = id;
      const label = document.createElement("span");
      label.className = "chip-label";
      label.textContent = chip.label;
      label.tabIndex = chip.explanation ? 0 : -1;
      item.append(hidden, label);
      if (chip.explanation) {
        const why = document.createElement("span");
        why.className = "chip-why";
        why.id = "why-" + id.replace(/[^a-zA-Z0-9]/g, "-");
        why.textContent = chip.explanation;
        label.setAttribute("aria-describedby", why.id);
        item.append(why);
      }
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip-remove";
      remove.setAttribute("aria-label", texts.remove + " " + chip.label);
      remove.textContent = "×";
      remove.addEventListener("click", () => {
        chosen.delete(id);
        dismissed.add(id);
        renderChips();
        announce(texts.removed + ": " + chip.label);
        search.focus();
        scheduleSave();
      });
      item.append(remove);
      chipList.append(item);
    }
  }

  function announce(message) {
    results.replaceChildren();
    const line = document.createElement("li");
    line.className = "visually-hidden";
    line.textContent = message;
    results.append(line);
  }

  // --- Suggestions from the tagger ----------------------------------------------------------
  let suggestTimer = null;
  let suggestSeq = 0;
  async function refreshSuggestions() {
    const seq = ++suggestSeq;
    const body = JSON.stringify({ text: description.value, date: dateInput.value || null });
    try {
      const response = await fetch(form.dataset.suggestUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
        body,
      });
      if (!response.ok || seq !== suggestSeq) return;
      const data = await response.json();
      // Drop earlier suggestions that the text no longer supports; keep the user's own chips.
      const current = new Set(data.tags.map((tag) => tag.id));
      for (const [id, chip] of chosen) {
        if (chip.suggested && !current.has(id)) chosen.delete(id);
      }
      for (const tag of data.tags) {
        const chip = chosen.get(tag.id);
        if (chip) Object.assign(chip, { explanation: tag.explanation, suggested: true });
      }
      if (syncOnly) {
        // The page came back from the server with the user's chips: what they left out of the
        // suggestions they had seen was removed on purpose, so it must not come back.
        for (const tag of data.tags) if (!chosen.has(tag.id)) dismissed.add(tag.id);
        syncOnly = false;
      }
      for (const tag of data.tags) {
        if (dismissed.has(tag.id)) continue;
        chosen.set(tag.id, { label: tag.label, explanation: tag.explanation, suggested: true });
      }
      renderChips();
      const blocking = data.pii.filter((hit) => hit.blocking);
      piiLive.textContent = blocking.length
        ? texts.piiFound + " " + [...new Set(blocking.map((hit) => hit.label))].join(", ")
        : "";
      piiLive.classList.toggle("field-error", blocking.length > 0);
    } catch (error) {
      // Offline: keep the chips as they are; the server checks everything on submit.
    }
  }

  // --- Catalogue search ---------------------------------------------------------------------
  function normalise(value) {
    return value.toLowerCase().replace(/\s+/g, " ").trim();
  }
  function showMatches() {
    const query = normalise(search.value);
    results.replaceChildren();
    if (query.length < 2) return;
    const matches = catalogue
      .filter((entry) => !chosen.has(entry.id))
      .filter((entry) => window.KnutpunktTags.matches(entry, query)) // static/js/tagchips.js
      .slice(0, 8);
    if (!matches.length) {
      const none = document.createElement("li");
      none.textContent = texts.noMatch;
      results.append(none);
      // A section the catalogue does not list yet ("27 kap. 45 § SFB") is still a valid tag:
      // read the typed citation as the tagger reads a text, and offer what it names.
      if (/§|kap/.test(query)) offerCited(search.value);
      return;
    }
    matches.forEach(addOption);
  }
  function addOption(entry) {
    const item = window.KnutpunktTags.optionItem(entry, () => {
      chosen.set(entry.id, { label: entry.label, explanation: "", suggested: false });
      dismissed.delete(entry.id);
      search.value = "";
      renderChips();
      announce(texts.added + ": " + entry.label);
      search.focus();
      scheduleSave();
    });
    results.append(item);
  }
  let citeSeq = 0;
  async function offerCited(value) {
    const seq = ++citeSeq;
    try {
      const response = await fetch(form.dataset.suggestUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
        body: JSON.stringify({ text: value, date: dateInput.value || null }),
      });
      if (!response.ok || seq !== citeSeq || search.value !== value) return;
      const data = await response.json();
      const cited = data.tags.filter((tag) => tag.kind === "provision" && !chosen.has(tag.id));
      if (!cited.length) return;
      results.replaceChildren();
      cited.slice(0, 8).forEach((tag) => addOption({ id: tag.id, label: tag.label, hint: "" }));
    } catch (error) {
      // Offline: the search stays as it was.
    }
  }
  search.addEventListener("input", showMatches);
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter in the search box picks the first match, never submits
      const first = results.querySelector("button");
      if (first) first.click();
    }
  });

  // --- Autosave -----------------------------------------------------------------------------
  let saveTimer = null;
  let saving = false;
  let dirty = false;
  function scheduleSave(delay) {
    dirty = true;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, delay === undefined ? 1200 : delay);
  }
  async function save() {
    if (saving) return scheduleSave(500);
    saving = true;
    dirty = false;
    status.textContent = texts.saving;
    const data = new FormData(form);
    data.delete("action");
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
        body: data,
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        status.textContent = body.detail || texts.offline;
        status.classList.add("field-error");
        scheduleSave(10000);
        return;
      }
      status.classList.remove("field-error");
      status.textContent = body.message;
      if (draftInput.value !== body.draft) {
        draftInput.value = body.draft;
        form.action = body.url;
        history.replaceState(null, "", body.url);
      }
    } catch (error) {
      status.textContent = texts.offline;
      status.classList.add("field-error");
      scheduleSave(10000);
    } finally {
      saving = false;
    }
  }

  form.addEventListener("input", (event) => {
    if (event.target === search) return;
    scheduleSave();
    if (event.target === description || event.target === dateInput) {
      clearTimeout(suggestTimer);
      suggestTimer = setTimeout(refreshSuggestions, 500);
    }
  });
  form.addEventListener("change", (event) => {
    if (event.target !== search) scheduleSave();
  });
  form.addEventListener("submit", () => {
    clearTimeout(saveTimer);
    dirty = false; // the submit itself saves the draft; a late beacon must not revive it
  });
  window.addEventListener("beforeunload", () => {
    if (dirty && navigator.sendBeacon) {
      const data = new FormData(form);
      data.delete("action");
      navigator.sendBeacon(form.dataset.autosaveUrl, data);
    }
  });

  // --- Start --------------------------------------------------------------------------------
  seedChips();
  chipsUi.hidden = false;
  form.querySelectorAll(".preview-button").forEach((button) => (button.hidden = true));
  renderChips();
  if (description.value.trim()) refreshSuggestions();
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
