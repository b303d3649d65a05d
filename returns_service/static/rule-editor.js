// The rules editor works without this file: "Update the form" shows the inputs that fit a
// newly chosen fact or comparison, and every action field is shown. With it, choosing a
// fact or comparison updates the form at once, and each rule shows only the action fields
// its decision takes (the others are left out of the form, so they are not sent).
(function () {
  var form = document.getElementById("rule-editor");
  var refresh = document.getElementById("refresh-editor");
  if (!form || !refresh) { return; }
  refresh.hidden = true;

  function fitOutcome(row) {
    var outcome = row.querySelector("select[name$='-outcome']");
    if (!outcome) { return; }
    row.querySelectorAll("[data-outcomes]").forEach(function (part) {
      var shown = part.getAttribute("data-outcomes").split(" ").indexOf(outcome.value) !== -1;
      part.hidden = !shown;
      part.querySelectorAll("input, select, textarea").forEach(function (field) {
        field.disabled = !shown;
      });
    });
  }

  document.querySelectorAll(".rule-row").forEach(fitOutcome);
  form.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-refresh")) {
      form.requestSubmit(refresh);
    } else if (/-outcome$/.test(event.target.name)) {
      fitOutcome(event.target.closest(".rule-row"));
    }
  });
})();
