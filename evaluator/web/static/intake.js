// Optional: the score sheet's sums update as the officer types. Without it, every submit
// (and the "recalculate" button) has the server compute them.
document.addEventListener("input", function (event) {
  var body = event.target.closest && event.target.closest("table.score-sheet tbody.category");
  if (!body) return;
  var table = body.closest("table");
  function sum(scope, cls) {
    var total = 0;
    scope.querySelectorAll("input." + cls).forEach(function (input) {
      var n = parseFloat(input.value);
      if (isFinite(n)) total += n;
    });
    return Math.round(total * 1000) / 1000;
  }
  body.querySelector(".sum-awarded").textContent = sum(body, "awarded");
  body.querySelector(".sum-available").textContent = sum(body, "available");
  table.querySelector(".total-awarded").textContent = sum(table, "awarded");
  table.querySelector(".total-available").textContent = sum(table, "available");
});
