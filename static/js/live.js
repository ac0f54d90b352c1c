// A live story's updates as they come in, without reloading. The page asks the server every few seconds for the
// updates newer than the newest it shows (a cached answer, the same for every reader). New ones wait behind an
// "N new updates" button, so nothing moves under the reader's eyes, and screen readers are told politely. Without
// this script the page is complete and its "Newer updates" button reloads it.
(function () {
  "use strict";

  var feed = document.querySelector("[data-live-feed]");
  if (!feed || !window.fetch || !("content" in document.createElement("template"))) return;

  var url = feed.dataset.liveUrl;
  var latest = parseInt(feed.dataset.latest, 10) || 0;
  var every = (parseInt(feed.dataset.pollSeconds, 10) || 20) * 1000;
  var waiting = []; // new updates not shown yet, newest first
  var tooMany = false;
  var timer = null;
  var failures = 0;

  var refresh = feed.querySelector(".live-refresh");
  if (refresh) refresh.hidden = true;

  var button = document.createElement("button");
  button.type = "button";
  button.className = "live-new";
  button.hidden = true;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  var heading = feed.querySelector("h2");
  heading.insertAdjacentElement("afterend", status);
  status.insertAdjacentElement("afterend", button);

  function list() {
    var ol = feed.querySelector(".live-list");
    if (!ol) {
      ol = document.createElement("ol");
      ol.className = "live-list";
      var empty = feed.querySelector(".live-empty");
      if (empty) empty.replaceWith(ol);
      else button.insertAdjacentElement("afterend", ol);
    }
    return ol;
  }

  function shown(id) {
    return document.getElementById("update-" + id) !== null || waiting.some(function (item) {
      return item.dataset.updateId === String(id);
    });
  }

  function announce() {
    var n = waiting.length;
    if (!n) return;
    var words = tooMany ? "Many new updates: reload the page" : n === 1 ? "1 new update" : n + " new updates";
    button.textContent = tooMany ? words : "Show " + words;
    button.hidden = false;
    status.textContent = words + ".";
  }

  function receive(html) {
    var box = document.createElement("template");
    box.innerHTML = html;
    var fragment = box.content.querySelector(".live-fragment");
    if (!fragment) return true;
    if (fragment.hasAttribute("data-too-many")) tooMany = true;
    var fresh = Array.prototype.filter.call(fragment.querySelectorAll(".live-update"), function (item) {
      return !shown(item.dataset.updateId);
    });
    fresh.forEach(function (item) {
      latest = Math.max(latest, parseInt(item.dataset.updateId, 10) || 0);
    });
    waiting = fresh.concat(waiting);
    announce();
    var coverage = fragment.dataset.coverage;
    if (coverage !== "live" && coverage !== "upcoming") {
      status.textContent = (status.textContent ? status.textContent + " " : "") + "Live coverage has ended.";
      return false;
    }
    return true;
  }

  function poll() {
    timer = null;
    if (document.visibilityState === "hidden") return; // resumed when the tab is shown again
    // no-cache: asked again every time, answered by the shared cache (a 304 when nothing changed).
    fetch(url + "?after=" + latest, { credentials: "omit", cache: "no-cache", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        failures = 0;
        if (receive(html)) schedule(every);
      })
      .catch(function () {
        failures += 1;
        schedule(Math.min(every * Math.pow(2, failures), 5 * 60 * 1000));
      });
  }

  function schedule(delay) {
    if (timer === null) timer = window.setTimeout(poll, delay);
  }

  button.addEventListener("click", function () {
    if (tooMany) {
      window.location.reload();
      return;
    }
    var ol = list();
    var first = waiting[0];
    for (var i = waiting.length - 1; i >= 0; i -= 1) ol.insertBefore(waiting[i], ol.firstChild);
    waiting = [];
    button.hidden = true;
    status.textContent = "";
    if (first) first.focus();
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") schedule(0);
  });

  schedule(every);
})();
