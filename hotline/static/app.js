// Progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // The eviction block shows only for the eviction-prevention mission. Without JavaScript the
  // block stays visible, and the server ignores it for the other mission.
  var mission = document.getElementById("mission");
  var block = document.getElementById("eviction-block");
  if (mission && block) {
    var sync = function () { block.hidden = mission.value !== block.dataset.mission; };
    mission.addEventListener("change", sync);
    sync();
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
