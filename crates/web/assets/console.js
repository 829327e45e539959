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

// Times are written in UTC by the server; here they are rewritten in the
// reader's own time zone and language. The exact UTC time stays on hover.
const lang = document.documentElement.lang || "en";
const local = new Intl.DateTimeFormat(lang, {
  year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
});
const rewrite = () => {
  for (const t of document.querySelectorAll("time[datetime]")) {
    const moment = new Date(t.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime())) t.textContent = local.format(moment);
  }
};
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", rewrite);
else rewrite();

// A secret shown once gets a copy button (hidden without this script: the
// secret can still be selected and copied by hand).
const copyButtons = () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = button.dataset.copied || "✓";
    });
  }
};
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", copyButtons);
else copyButtons();
