// Updates an issue's progress bar and counts while it is being sent, from the admin's JSON progress endpoint.
(function () {
  "use strict";
  var box = document.querySelector(".issue-progress[data-progress-url]");
  if (!box || box.dataset.status !== "sending") return;
  var bar = box.querySelector("progress");

  function show(progress) {
    bar.value = progress.percent;
    bar.textContent = progress.percent + "%";
    document.querySelectorAll(".issue-sending [data-field]").forEach(function (node) {
      var value = progress[node.dataset.field];
      if (value !== undefined) node.textContent = value;
    });
    box.dataset.status = progress.status;
    if (progress.status !== "sending") {
      // Sent or cancelled: nothing is left to cancel, so the button goes (the server refuses it anyway).
      document.querySelectorAll(".issue-sending [data-while-sending]").forEach(function (node) {
        node.remove();
      });
    }
  }

  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (progress) {
        if (progress) show(progress);
        if (!progress || progress.status === "sending") window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
})();
