// Live scoring on the self-evaluation page: the server's engine scores the page as typed (nothing is saved).
(function () {
  "use strict";
  var form = document.getElementById("evaluation-form");
  if (!form) return;
  var timer = null;
  function set(selector, value) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = value || "—"; });
  }
  function refresh() {
    // Sent as a URL-encoded body, not multipart: the page has no file, and the server reads it several times faster.
    var data = new URLSearchParams(new FormData(form));
    fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (result) {
        if (!result || !result.ok) return;
        set("[data-total]", result.total);
        set("[data-grade]", result.grade);
        set("[data-budget-rate]", result.budget_rate);
        set("[data-budget-score]", result.budget_score);
        Object.keys(result.sections).forEach(function (code) { set("[data-section='" + code + "']", result.sections[code]); });
        Object.keys(result.rows).forEach(function (id) {
          var cell = document.querySelector("tr[data-row='" + id + "'] [data-proposal]");
          if (!cell) return;
          var row = result.rows[id];
          cell.textContent = row.score || "评定";
          cell.title = row.explanation;
          cell.closest("tr").classList.toggle("unmet", row.met === false);
        });
        var list = document.querySelector("[data-findings]");
        list.innerHTML = "";
        (result.findings.length ? result.findings : ["未发现问题。"]).forEach(function (text) {
          var li = document.createElement("li"); li.textContent = text; list.appendChild(li);
        });
      });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 300); });
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 100); });
  refresh();
})();
