// The rules editor works without this file: "Update the form" shows the inputs that fit a
// newly chosen fact or comparison. With it, choosing one updates the form at once.
(function () {
  var form = document.getElementById("rule-editor");
  var refresh = document.getElementById("refresh-editor");
  if (!form || !refresh) { return; }
  refresh.hidden = true;
  form.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-refresh")) {
      form.requestSubmit(refresh);
    }
  });
})();
