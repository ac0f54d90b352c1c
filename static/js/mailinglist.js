// Progressive enhancement for the "Join the mailing list" forms: submit in the background and show the
// answer next to the form. Without this script the form posts, redirects and shows the same message.
(function () {
  "use strict";

  function enhance(form) {
    if (form.dataset.enhanced) return;
    form.dataset.enhanced = "1";
    var status = form.querySelector("[data-signup-status]");
    var button = form.querySelector("button[type=submit]");

    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) return;
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      status.className = "signup-status";
      status.textContent = "Sending…";
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      })
        .then(function (response) {
          return response.json().catch(function () {
            return { ok: false, message: "Something went wrong. Please reload the page and try again." };
          });
        })
        .then(function (answer) {
          status.textContent = answer.message;
          if (answer.started) form.querySelector("input[name=started]").value = answer.started;
          status.className = "signup-status " + (answer.ok ? "signup-status-ok" : "signup-status-error");
          var email = form.querySelector("input[name=email]");
          if (answer.ok) {
            email.value = "";
            email.removeAttribute("aria-invalid");
          } else if (answer.errors && answer.errors.email) {
            email.setAttribute("aria-invalid", "true");
            email.focus();
          }
        })
        .catch(function () {
          status.textContent = "We could not reach the server. Check your connection and try again.";
          status.className = "signup-status signup-status-error";
        })
        .finally(function () {
          button.disabled = false;
          form.removeAttribute("aria-busy");
        });
    });
  }

  document.querySelectorAll("form[data-signup-form]").forEach(enhance);
})();
