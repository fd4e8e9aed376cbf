// Live progress of a background job: polls its status every second, reloads the page when it ends.
// Without JavaScript the page refreshes itself (a meta refresh inside <noscript>).
(function () {
  var box = document.querySelector("section.js-job");
  if (!box || !window.fetch) { return; }
  var state = box.getAttribute("data-state");
  if (state !== "queued" && state !== "running") { return; }
  var url = box.getAttribute("data-status-url");
  function set(cls, text) { var el = box.querySelector(cls); if (el) { el.textContent = text; } }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        set(".job-state", job.state);
        set(".job-phase", job.phase);
        set(".job-done", job.done);
        set(".job-total", job.total ? job.total : "");
        set(".job-rate", job.per_second ? job.per_second : "—");
        set(".job-errors", job.errors_found);
        box.querySelector(".job-progress").value = job.percent;
        if (job.state !== "queued" && job.state !== "running") { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
