// Live scoring on the self-evaluation page: the server's engine scores the page as typed (nothing is saved).
// An input the server cannot read gets its message at the input and the figures are cleared, never left stale;
// blocking findings (错误) stand apart from hints (提示). A 评定得分 left as the proposal follows the proposal.
(function () {
  "use strict";
  var form = document.getElementById("evaluation-form");
  if (!form) return;
  var timer = null;
  function set(selector, value) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = value || "—"; });
  }
  function list(selector, items, cls) {
    var ul = document.querySelector(selector);
    if (!ul) return;
    ul.innerHTML = "";
    (items.length ? items : ["无。"]).forEach(function (text) {
      var li = document.createElement("li"); li.textContent = text;
      li.className = items.length ? cls : "muted"; ul.appendChild(li);
    });
  }
  function scoreInput(row) { return row.querySelector("input[name$='-score_final']"); }
  // A row follows the proposal while its 评定得分 is blank or still the proposal the page was opened with.
  form.querySelectorAll("tr[data-row]").forEach(function (row) {
    var input = scoreInput(row), cell = row.querySelector("[data-proposal]");
    if (!input) return;
    var proposal = cell ? cell.textContent.trim() : "";
    row.dataset.follows = (input.value === "" || Number(input.value) === Number(proposal)) ? "1" : "0";
    input.addEventListener("input", function () { row.dataset.follows = input.value === "" ? "1" : "0"; });
  });
  // each qualitative band shows its point range for the row's 分值, as it is typed
  function points(x) { return String(Number(x.toFixed(2))); }
  function updateBands(tr) {
    var select = tr.querySelector("select[data-bands]"), weight = tr.querySelector("input[name$='-weight']");
    if (!select || !weight) return;
    var w = Number(weight.value), bands = JSON.parse(select.dataset.bands);
    bands.forEach(function (band) {
      var option = select.querySelector("option[value='" + band[0] + "']");
      if (!option) return;
      option.textContent = band[1] + (weight.value !== "" && w > 0
        ? "（" + points(Number(band[2]) * w) + "–" + points(Number(band[3]) * w) + " 分）" : "");
    });
  }
  form.querySelectorAll("tr[data-row]").forEach(function (tr) {
    var weight = tr.querySelector("input[name$='-weight']");
    if (weight) weight.addEventListener("input", function () { updateBands(tr); });
  });
  function showErrors(errors) {
    form.querySelectorAll("td .errorlist").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    Object.keys(errors || {}).forEach(function (name) {
      var input = form.elements[name];
      if (!input || !input.parentNode) return;
      if (input.length !== undefined && !input.tagName) input = input[0];
      var ul = document.createElement("ul"); ul.className = "errorlist live";
      errors[name].forEach(function (m) { var li = document.createElement("li"); li.textContent = m; ul.appendChild(li); });
      input.setAttribute("aria-invalid", "true");
      input.parentNode.insertBefore(ul, input.nextSibling);
    });
  }
  function clearFigures(message) {
    ["[data-total]", "[data-grade]", "[data-budget-rate]", "[data-budget-score]", "[data-section]", "[data-proposal]"]
      .forEach(function (s) { set(s, ""); });
    list("[data-blocking]", [], "error"); list("[data-hints]", [], "hint");
    var p = document.querySelector("[data-preview-message]");
    if (p) { p.textContent = message; p.hidden = false; }
  }
  function refresh() {
    var data = new FormData(form);
    // a row that follows the proposal is sent blank: the server gives it the proposal of what is typed now
    form.querySelectorAll("tr[data-row][data-follows='1']").forEach(function (tr) {
      var input = scoreInput(tr);
      if (input) data.set(input.name, "");
    });
    data = new URLSearchParams(data);  // URL-encoded, not multipart: the page has no file, and it is read faster
    fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { ok: false, message: "暂时无法计算得分，请稍后再试。", errors: {} }; })
      .then(function (result) {
        showErrors(result.errors);
        if (!result.ok) { clearFigures(result.message); return; }
        var p = document.querySelector("[data-preview-message]");
        if (p) { p.hidden = true; p.textContent = ""; }
        set("[data-total]", result.total || (result.provisional_total ? "暂计 " + result.provisional_total : ""));
        set("[data-grade]", result.grade);
        set("[data-budget-rate]", result.budget_rate);
        set("[data-budget-score]", result.budget_score);
        Object.keys(result.sections).forEach(function (code) { set("[data-section='" + code + "']", result.sections[code]); });
        Object.keys(result.rows).forEach(function (id) {
          var tr = document.querySelector("tr[data-row='" + id + "']");
          if (!tr) return;
          var row = result.rows[id], cell = tr.querySelector("[data-proposal]"), input = scoreInput(tr);
          if (cell) { cell.textContent = row.score || "评定"; cell.title = row.explanation; }
          tr.classList.toggle("unmet", row.met === false);
          if (input && tr.dataset.follows === "1" && document.activeElement !== input) input.value = row.final || "";
          var reason = tr.querySelector("[data-score-reason]");
          if (reason && input) {
            // a reason is asked when the score differs from the proposal, or when there is no proposal to follow
            // (a word as a quantitative actual must be scored with a reason)
            var differs = input.value !== "" && (row.score === null || Number(input.value) !== Number(row.score));
            var typed = reason.querySelector("textarea");
            reason.classList.toggle("quiet", !differs && !(typed && typed.value));
          }
        });
        list("[data-blocking]", result.blocking, "error");
        list("[data-hints]", result.hints, "hint");
      });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 300); });
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 100); });
  refresh();
})();
