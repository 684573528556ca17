// Shows the eviction block only for the eviction-prevention mission. Without JavaScript the
// block stays visible, and the server ignores it for the other mission.
document.addEventListener("DOMContentLoaded", function () {
  var mission = document.getElementById("mission");
  var block = document.getElementById("eviction-block");
  if (!mission || !block) { return; }
  function sync() { block.hidden = mission.value !== block.dataset.mission; }
  mission.addEventListener("change", sync);
  sync();
});
