// Mufakat's only script: small enhancements; every page works without it.
"use strict";
(function () {
  // Situation room: live figures by server-sent events, without reloading the page.
  var live = document.querySelector("[data-live]");
  if (live && window.EventSource) {
    var status = document.getElementById("live-status");
    var es = new EventSource(live.getAttribute("data-live"));
    es.addEventListener("votes", function (e) {
      var d = JSON.parse(e.data);
      var cell = document.querySelector('[data-votes-for="' + d.proposalId + '"]');
      if (cell) { cell.textContent = d.votes; }
      var total = document.getElementById("total-votes");
      if (total && cell) {
        var sum = 0;
        document.querySelectorAll("[data-votes-for]").forEach(function (c) { sum += parseInt(c.textContent, 10) || 0; });
        total.textContent = sum;
      }
      if (status) { status.textContent = status.getAttribute("data-updated") + " " + new Date().toLocaleTimeString(); }
    });
    es.addEventListener("monev", function () {
      fetch(location.pathname + "?part=monev", { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) { var m = document.getElementById("monev"); if (m) { m.innerHTML = html; } });
    });
    es.onerror = function () { if (status) { status.textContent = status.getAttribute("data-offline"); } };
  }
  // Proposal form: fill the coordinates from the phone's location (works without a map).
  var locate = document.getElementById("locate");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById("f-latitude").value = p.coords.latitude.toFixed(6);
        document.getElementById("f-longitude").value = p.coords.longitude.toFixed(6);
      });
    });
  }
  // A refused form: move focus to its list of errors.
  var errs = document.getElementById("form-errors");
  if (errs) { errs.focus(); }
})();
