// The console's conveniences. Every page works without this script: the
// select-all box is also read by the server ("every account shown").
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.form) return;
  const rows = box.form.querySelectorAll('input[name="ids"]');
  const all = box.form.querySelector("input[data-select-all]");
  if (box === all) {
    for (const row of rows) row.checked = box.checked;
  } else if (box.name === "ids" && all) {
    all.checked = Array.from(rows).every((row) => row.checked);
  }
});
