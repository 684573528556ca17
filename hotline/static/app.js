// Progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // The case block (stage, debt, lease, acts) counts for the eviction-prevention mission or a
  // consultation about unpaid rent (cases.services.concerns_the_case): it hides once another mission
  // is chosen without that theme. Without JavaScript it stays visible and the server ignores it for
  // the other missions; hidden, it keeps what was typed.
  var mission = document.getElementById("mission");
  var caseBlock = document.getElementById("case-block");
  if (mission && caseBlock && caseBlock.dataset.caseMission) {
    var themes = document.querySelectorAll("input[name=themes]");
    var theme = caseBlock.dataset.caseTheme;
    var concerned = function () {
      if (!mission.value || mission.value === caseBlock.dataset.caseMission) { return true; }
      return Array.prototype.some.call(themes, function (box) {
        return box.checked && (box.value === theme || box.value.indexOf(theme + "/") === 0);
      });
    };
    var syncBlock = function () {
      var hide = !concerned();
      if (hide && caseBlock.contains(document.activeElement)) { mission.focus(); }
      caseBlock.hidden = hide;
    };
    mission.addEventListener("change", syncBlock);
    Array.prototype.forEach.call(themes, function (box) { box.addEventListener("change", syncBlock); });
    syncBlock();
  }

  // Referrals: as outcomes, the stage, the acts, the sector or the territory are picked, show for each
  // outcome picked its conditions, or the hint the server gives when the household does not fit
  // (cases.referrals.rules(): the server's own texts). A territory left to the commune is not known
  // here: it is not checked until the form is saved. Without JavaScript every condition shows.
  var conditions = document.getElementById("referral-conditions");
  if (conditions && conditions.dataset.referralRules) {
    var rules = JSON.parse(conditions.dataset.referralRules);
    var form = conditions.closest("form");
    var served = document.querySelectorAll("[data-referral-hint]");
    var live = document.createElement("div");
    live.id = "referral-live";
    live.setAttribute("aria-live", "polite");
    conditions.parentNode.insertBefore(live, conditions.nextSibling);
    conditions.hidden = true;
    var valueOf = function (id) {
      var element = document.getElementById(id);
      return element ? element.value : "";
    };
    var known = {  // each check's values in the form; null: unknown, not checked
      territory: function () {
        var territory = valueOf("territory");
        return territory || !valueOf("commune") ? [territory] : null;
      },
      sector: function () { return [valueOf("housing_sector")]; },
      stages: function () {
        var stages = [valueOf("procedure_stage")];
        form.querySelectorAll("input[id^='act_']").forEach(function (input) {
          if (input.value) { stages.push(input.id.slice(4)); }
        });
        return stages;
      }
    };
    var texts = function () {
      var found = [];
      Object.keys(rules).forEach(function (outcome) {
        var box = form.querySelector("input[name=outcomes][value='" + outcome + "']");
        if (!box || !box.checked) { return; }
        var rule = rules[outcome];
        var misfits = Object.keys(rule.fits).filter(function (check) {
          var values = known[check]();
          return values !== null && !values.some(function (value) { return rule.fits[check].indexOf(value) !== -1; });
        }).sort();
        found.push(misfits.length ? {warning: true, text: rule.hints[misfits.join(" ")]}
                                  : {warning: false, text: rule.conditions});
      });
      return found;
    };
    var shown = "";
    var render = function () {
      var found = texts();
      var key = JSON.stringify(found);
      if (key === shown) { return; }  // unchanged: nothing new for a screen reader to announce
      shown = key;
      Array.prototype.forEach.call(served, function (hint) { hint.hidden = true; });
      live.textContent = "";
      found.forEach(function (item) {
        var paragraph = document.createElement("p");
        paragraph.className = item.warning ? "warning" : "hint";
        paragraph.textContent = item.text;
        live.appendChild(paragraph);
      });
    };
    form.addEventListener("change", render);
    // After a refused save the server's hints stay until something changes (it knew the territory).
    if (!served.length) { render(); }
  }

  // After a validation error the error summary takes the focus, and each of its links puts the focus
  // in its field (the link alone would only scroll to it).
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-field]");
      var target = link && document.getElementById(link.dataset.field);
      if (!target) { return; }
      event.preventDefault();
      target.scrollIntoView({block: "center"});
      target.focus();
    });
  }

  // A closed drop-down shows only as much of its choice as its width allows: "Jugement : délais de
  // paiement…" and "Jugement : résiliation…" look alike on a phone. When the chosen label does not fit, it
  // is written out in full under the drop-down (hidden from screen readers, which read the choice whole).
  // The width a drop-down needs for one label is that of a drop-down holding only it (browsers size a
  // drop-down by its widest choice): a probe out of sight, styled as the page's drop-downs.
  var probe = document.createElement("select");
  probe.setAttribute("aria-hidden", "true");
  probe.tabIndex = -1;
  probe.style.cssText = "position:absolute;left:-9999px;top:0;visibility:hidden;width:auto;max-width:none";
  probe.appendChild(document.createElement("option"));
  document.body.appendChild(probe);
  var echoes = [];
  document.querySelectorAll("main select:not([multiple])").forEach(function (select) {
    var echo = document.createElement("p");
    echo.className = "chosen-full";
    echo.setAttribute("aria-hidden", "true");
    echo.hidden = true;
    select.insertAdjacentElement("afterend", echo);
    var sync = function () {
      var option = select.options[select.selectedIndex];
      if (!option || select.offsetParent === null) { echo.hidden = true; return; }
      probe.style.font = window.getComputedStyle(select).font;
      probe.options[0].text = option.text;
      echo.textContent = option.text;
      echo.hidden = probe.offsetWidth <= select.offsetWidth;
    };
    echoes.push(sync);
    sync();
  });
  var resyncEchoes = function () { echoes.forEach(function (sync) { sync(); }); };
  window.addEventListener("resize", resyncEchoes);
  // A drop-down inside a closed <details>, or a block shown again, has its width once it is shown.
  document.addEventListener("toggle", resyncEchoes, true);
  document.addEventListener("change", resyncEchoes);

  // On a phone, tables read as one block per row (app.css): each cell is given its column's name.
  document.querySelectorAll("main table:not(.keep)").forEach(function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) { return; }
    var names = Array.prototype.map.call(head.cells, function (cell) { return cell.textContent.trim(); });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (cell.tagName === "TD" && names[index] && !cell.hasAttribute("data-label") && cell.colSpan === 1) {
            cell.setAttribute("data-label", names[index]);
          }
        });
      });
    });
  });
});
// The fiche de situation's "Imprimer" button (no inline script: the CSP forbids it).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
});
