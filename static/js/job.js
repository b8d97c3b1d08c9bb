// Job page: move the progress bar without a reload, and show the outcome when the job ends.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "true") return;
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var step = document.getElementById("job-step");
  var counts = document.getElementById("job-counts");
  var delay = 1000;

  function show(state) {
    status.textContent = state.status_label;
    status.className = "status status-" + state.status;
    step.textContent = state.step;
    counts.textContent = state.text;
    if (state.total) {
      bar.max = state.total;
      bar.value = Math.min(state.done, state.total);
    } else {
      bar.removeAttribute("value"); // an indeterminate bar while there is nothing to count
    }
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.finished) {
          window.location.reload(); // the outcome (report, reason, "run again") is rendered there
        } else {
          delay = 1000;
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000); // the server is busy or away: ask less often
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
