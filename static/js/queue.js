// Triage queue: "select all" for the bulk actions.
(function () {
  "use strict";
  const selectAll = document.getElementById("select-all");
  if (!selectAll) return;
  selectAll.addEventListener("change", () => {
    document.querySelectorAll("input[name=deviations]").forEach((box) => (box.checked = selectAll.checked));
  });
})();
