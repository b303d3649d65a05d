// Follows a cancellation that waits for the warehouse: every few seconds the page is read
// again, and when the status has changed its card is replaced in place (the outcome is a
// status region, so screen readers announce it). Without scripts, "Check again" does it.
(function () {
  "use strict";
  var EVERY_MS = 10000;

  function current() {
    return document.getElementById("cancellation");
  }

  function check() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        var card = current();
        if (text && card) {
          var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("cancellation");
          if (fresh && fresh.dataset.status !== card.dataset.status) {
            card.replaceWith(fresh);
          }
        }
      })
      .catch(function () { /* offline for a moment: try again later */ })
      .then(function () {
        var card = current();
        if (card && card.hasAttribute("data-poll")) {
          window.setTimeout(check, EVERY_MS);
        }
      });
  }

  var card = current();
  if (card && card.hasAttribute("data-poll")) {
    window.setTimeout(check, EVERY_MS);
  }
})();
