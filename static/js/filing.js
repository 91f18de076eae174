// The filing form's helps: catalog search, window presets, the agreement's default marking and
// one priority vocabulary at a time. Without JavaScript the form still files: numbers typed in
// the targets field, times typed in ISO form, the marking left empty takes the agreement's.
(function () {
  "use strict";

  function isoMinute(date) {
    // "YYYY-MM-DDTHH:MMZ": the portal speaks UTC whatever the browser's zone.
    return date.toISOString().slice(0, 16) + "Z";
  }

  function picker(form) {
    var search = document.getElementById("catalog-search");
    var results = document.getElementById("catalog-results");
    var targets = form.querySelector("[name=targets]");
    if (!search || !results || !targets) return;
    var timer = null;
    var asked = 0;

    function add(number) {
      var numbers = targets.value.split(/[,;]/).map(function (s) { return s.trim(); }).filter(Boolean);
      if (numbers.indexOf(String(number)) === -1) numbers.push(String(number));
      targets.value = numbers.join(", ");
      targets.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(items) {
      results.textContent = "";
      if (items.length === 0) {
        var none = document.createElement("li");
        none.className = "hint";
        none.textContent = "No object matches.";
        results.appendChild(none);
        return;
      }
      items.forEach(function (item) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "pick";
        button.dataset.catalogNumber = item.catalog_number;
        button.textContent = "(" + item.portion + ") " + item.catalog_number + " " + item.name +
          (item.intl_designator ? " · " + item.intl_designator : "");
        button.addEventListener("click", function () { add(item.catalog_number); });
        li.appendChild(button);
        results.appendChild(li);
      });
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      var text = search.value.trim();
      if (!text) { results.textContent = ""; return; }
      timer = setTimeout(function () {
        var ticket = ++asked;
        fetch(form.dataset.pickerUrl + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) { if (ticket === asked) show(data.results); });
      }, 200);
    });
  }

  function presets(form) {
    var start = form.querySelector("[name=window_start]");
    var end = form.querySelector("[name=window_end]");
    form.querySelectorAll("[data-preset-seconds]").forEach(function (button) {
      button.addEventListener("click", function () {
        var now = new Date();
        now.setUTCSeconds(0, 0);
        now.setUTCMinutes(now.getUTCMinutes() + 1);
        start.value = isoMinute(now);
        end.value = isoMinute(new Date(now.getTime() + Number(button.dataset.presetSeconds) * 1000));
      });
    });
  }

  function defaultMarking(form) {
    var node = document.getElementById("default-markings");
    var marking = form.querySelector("[name=marking]");
    if (!node || !marking) return;
    var defaults = JSON.parse(node.textContent);
    var filled = "";
    ["spoc", "sensor"].forEach(function (name) {
      var select = form.querySelector("[name=" + name + "]");
      if (!select) return;
      select.addEventListener("change", function () {
        var banner = defaults[name][select.value];
        // Only a marking the form filled in is replaced; one the operator typed is kept.
        if (banner && (marking.value === "" || marking.value === filled)) {
          marking.value = banner;
          filled = banner;
        }
      });
    });
  }

  function vocabulary(form) {
    var select = form.querySelector("select[name=priority]");
    var radios = form.querySelectorAll("[name=priority_vocabulary]");
    if (!select || radios.length === 0) return;
    var groups = select.querySelectorAll("optgroup");

    function apply() {
      var chosen = form.querySelector("[name=priority_vocabulary]:checked");
      var index = chosen && chosen.value === "ssn" ? 1 : 0;
      groups.forEach(function (group, i) {
        group.hidden = i !== index;
        group.disabled = i !== index;
      });
      var current = select.options[select.selectedIndex];
      if (!current || current.parentNode !== groups[index]) {
        // The least urgent of the vocabulary, never a silent escalation.
        var least = groups[index].querySelector("option[value=routine], option[value=cat5]");
        select.value = (least || groups[index].querySelector("option")).value;
      }
    }

    radios.forEach(function (radio) { radio.addEventListener("change", apply); });
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("filing-form");
    if (!form) return;
    picker(form);
    presets(form);
    defaultMarking(form);
    vocabulary(form);
  });
})();
