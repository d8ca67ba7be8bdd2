// Rows of a formset added and removed without reloading the page; 二级 narrowed to its 一级;
// each 指标值 shows how the server reads it.
(function () {
  "use strict";

  function renumber(formset) {
    var prefix = formset.dataset.prefix;
    var rows = formset.querySelectorAll("tbody tr.row");
    formset.querySelector("#id_" + prefix + "-TOTAL_FORMS").value = rows.length;
  }

  function addRow(formset) {
    var prefix = formset.dataset.prefix;
    var total = formset.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var html = formset.querySelector("template").innerHTML.replace(/__prefix__/g, index);
    var body = formset.querySelector("tbody");
    body.insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
    var row = body.lastElementChild;
    wire(row);
    var first = row.querySelector("input, select, textarea");
    if (first) first.focus();
  }

  function removeRow(row) {
    var del = row.querySelector("input[type=checkbox][name$='-DELETE']");
    var id = row.querySelector("input[type=hidden][name$='-id']");
    if (id && id.value) {
      del.checked = !del.checked;  // saved rows are marked, and deleted on save
      row.classList.toggle("deleted", del.checked);
    } else {
      // a new row that was never saved: clear it so that it is ignored on save
      row.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (el) { el.value = ""; });
      row.classList.add("deleted");
      del.checked = true;
    }
  }

  function narrowLevel2(row) {
    var l1 = row.querySelector("select[name$='-level1']");
    var l2 = row.querySelector("select[name$='-level2']");
    if (!l1 || !l2) return;
    Array.prototype.forEach.call(l2.options, function (option) {
      var parent = option.getAttribute("data-parent");
      option.hidden = Boolean(parent && l1.value && parent !== l1.value);
    });
    var chosen = l2.options[l2.selectedIndex];
    if (chosen && chosen.hidden) l2.value = "";
  }

  var timers = new WeakMap();
  function showParse(input) {
    var box = input.parentNode.querySelector("[data-parsed]");
    var url = input.closest("[data-parse-url]");
    if (!box || !url) return;
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () {
      if (!input.value.trim()) { box.textContent = ""; return; }
      var row = input.closest("tr");
      var query = "?v=" + encodeURIComponent(input.value);
      [["u", "unit"], ["c", "comparator"], ["n", "nature"]].forEach(function (pair) {
        var field = row && row.querySelector('[name$="-' + pair[1] + '"]');
        if (field && field.value) query += "&" + pair[0] + "=" + encodeURIComponent(field.value);
      });
      fetch(url.dataset.parseUrl + query, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { box.textContent = data.text; box.className = "parsed " + data.kind; } });
    }, 250));
  }

  // 指标库: suggestions while typing a 三级 indicator; picking one fills in its 一级/二级 when empty.
  var library = {};
  function suggest(row, input) {
    var box = input.closest("[data-library-url]");
    var list = document.getElementById("indicator-library");
    if (!box || !list) return;
    var level2 = row.querySelector("select[name$='-level2']");
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () {
      var url = box.dataset.libraryUrl + "?q=" + encodeURIComponent(input.value) + "&level2=" + (level2 ? level2.value : "");
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { results: [] }; }).then(function (data) {
        list.innerHTML = "";
        data.results.forEach(function (entry) {
          library[entry.name] = entry;
          var option = document.createElement("option");
          option.value = entry.name;
          option.label = entry.direction + (entry.example ? "，如 " + entry.example : "");
          list.appendChild(option);
        });
        var hit = library[input.value];
        var l1 = row.querySelector("select[name$='-level1']");
        if (hit && l1 && !l1.value) { l1.value = hit.level1; narrowLevel2(row); level2.value = hit.level2; }
      });
    }, 200));
  }

  function wire(row) {
    var l1 = row.querySelector("select[name$='-level1']");
    if (l1) { l1.addEventListener("change", function () { narrowLevel2(row); }); narrowLevel2(row); }
    var name = row.querySelector("input[name$='-name'][list]");
    if (name) { name.addEventListener("input", function () { suggest(row, name); }); }
    var target = row.querySelector("input[name$='-target']");
    if (target) {
      target.addEventListener("input", function () { showParse(target); });
      ["unit", "comparator", "nature"].forEach(function (name) {
        var column = row.querySelector("[name$='-" + name + "']");
        if (column) column.addEventListener("change", function () { showParse(target); });
      });
      showParse(target);
    }
  }

  document.querySelectorAll(".formset").forEach(function (formset) {
    formset.querySelector("button.add").addEventListener("click", function () { addRow(formset); });
    formset.addEventListener("click", function (event) {
      if (event.target.classList.contains("remove")) removeRow(event.target.closest("tr"));
    });
    formset.querySelectorAll("tbody tr.row").forEach(wire);
    renumber(formset);
  });
})();
