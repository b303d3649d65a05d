// The return form, enhanced: the amount to get back is summed as the customer chooses, and
// a reason whose rule decides how the parcel comes back selects that way. Without scripts,
// each line shows its terms per reason and the server refuses a way the rules do not take.
(function () {
  "use strict";
  var form = document.getElementById("return-form");
  var summary = document.getElementById("summary");
  if (!form || !summary) { return; }
  var currency = form.getAttribute("data-currency");
  var money = new Intl.NumberFormat(document.documentElement.lang, { style: "currency", currency: currency });
  var decimals = money.resolvedOptions().maximumFractionDigits;
  function show(amount) { return money.format(amount / Math.pow(10, decimals)); }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return show(values[key]); });
  }
  function lines() {
    return Array.prototype.slice.call(form.querySelectorAll(".line[data-terms]"));
  }
  function update() {
    var refund = 0, fee = 0, bonus = 0, chosen = 0;
    lines().forEach(function (line) {
      var quantity = parseInt(line.querySelector(".qty").value, 10) || 0;
      var reason = line.querySelector("select[name^=reason_]").value;
      var terms = JSON.parse(line.getAttribute("data-terms"))[reason];
      if (!quantity || !terms) { return; }
      chosen += quantity;
      refund += quantity * terms.refund;
      fee += quantity * terms.fee;
      bonus += quantity * terms.bonus;
    });
    var resolution = (form.querySelector("input[name=resolution]:checked") || {}).value;
    if (!chosen || resolution === "exchange") { summary.hidden = true; return; }
    var key = resolution === "store_credit" && bonus ? "data-credit" : "data-refund";
    var text = fill(summary.getAttribute(key), { amount: refund, bonus: bonus });
    if (fee) { text += " " + fill(summary.getAttribute("data-fee"), { fee: fee }); }
    summary.textContent = text;
    summary.hidden = false;
  }
  function imposeMethod(event) {
    var line = event.target.closest(".line[data-terms]");
    if (!line || !event.target.name || event.target.name.indexOf("reason_") !== 0) { return; }
    var terms = JSON.parse(line.getAttribute("data-terms"))[event.target.value];
    var method = terms && terms.method && form.querySelector("input[name=method][value=" + terms.method + "]");
    if (method) { method.checked = true; }
  }
  form.addEventListener("change", function (event) { imposeMethod(event); update(); });
  update();
})();
