// One click in the e-mail is the answer: the survey page sends its form at once.
// A file, not an inline script: the pages' Content-Security-Policy refuses inline ones.
(function () {
  var form = document.getElementById("answer");
  if (form && form.hasAttribute("data-send-at-once")) {
    document.getElementById("sending").hidden = false;
    form.submit();
  }
})();
