// pcsim console: keeps the page's live parts (elements with data-live and an id) current without a
// reload. While the tab is shown it fetches this same page every few seconds (one request at a time)
// and swaps in each live part whose HTML changed, except one the user is typing in or has open.
(function () {
  "use strict";
  var PERIOD = 2000;
  var busy = false;
  var status = document.querySelector("[data-live-status]");

  function openDetails(element) {
    var open = {};
    element.querySelectorAll("details[open] > summary").forEach(function (s) { open[s.textContent] = true; });
    return open;
  }

  function swap(fresh) {
    document.querySelectorAll("[data-live][id]").forEach(function (old) {
      var next = fresh.getElementById(old.id);
      if (!next || next.innerHTML === old.innerHTML) return;
      if (old.contains(document.activeElement) && document.activeElement.matches("input, select, textarea")) return;
      var open = openDetails(old);
      old.innerHTML = next.innerHTML;
      old.querySelectorAll("details > summary").forEach(function (s) {
        if (open[s.textContent]) s.parentElement.open = true;
      });
    });
  }

  function tick() {
    if (busy || document.visibilityState !== "visible") return;
    busy = true;
    fetch(window.location.href, { headers: { "X-Console-Live": "1" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        swap(new DOMParser().parseFromString(html, "text/html"));
        document.documentElement.setAttribute("data-live-updated", String(Date.now()));
        if (status) status.textContent = "Live updates on.";
      })
      .catch(function () { if (status) status.textContent = "Live updates paused (the simulator did not answer)."; })
      .finally(function () { busy = false; });
  }

  setInterval(tick, PERIOD);
  document.addEventListener("visibilitychange", tick);
})();
