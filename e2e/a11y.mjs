// Every console and portal page, in English and in German, checked with
// axe-core (its default rules, nothing turned off) and photographed.
//
//   node a11y.mjs PLAN.json OUT_DIR
//
// PLAN.json: {base, staff: {email, password}, customer: {login, password},
//             public: [path], console: [path], portal: [path]}
// Public pages are opened signed out; console pages after the staff
// sign-in; portal pages after the customer's. A screenshot of each page goes
// to OUT_DIR/{lang}-{name}.png. Fails (exit 1) on any violation, whatever
// its impact, listing each with the page and the elements.
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { launch } from "./chromium.mjs";

const [planFile, outDir] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, "utf8"));
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
mkdirSync(outDir, { recursive: true });

const failures = [];
let checked = 0;

const slug = (path) => path.replace(/^\//, "").replace(/[^a-zA-Z0-9]+/g, "-").replace(/-+$/, "") || "front";

async function check(page, lang, path) {
  const response = await page.goto(`${plan.base}${path}`);
  const status = response ? response.status() : 0;
  if (status >= 500 || status === 0) failures.push(`${lang} ${path}: answered ${status}`);
  const html = await page.locator("html").getAttribute("lang");
  if (html !== lang) failures.push(`${lang} ${path}: the page says lang="${html}"`);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of result.violations) {
    const where = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ");
    const line = `${lang} ${path}: ${v.id} (${v.impact}): ${v.help} at ${where}`;
    failures.push(line);
  }
  await page.screenshot({ path: `${outDir}/${lang}-${slug(path)}.png`, fullPage: true });
  checked += 1;
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

const browser = await launch();
try {
  for (const lang of ["en", "de"]) {
    // bypassCSP lets axe's script run in the page; the pages themselves are
    // served with their usual policy.
    const context = await browser.newContext({
      bypassCSP: true,
      locale: lang === "de" ? "de-DE" : "en-GB",
      extraHTTPHeaders: { "accept-language": lang === "de" ? "de-DE,de;q=0.9" : "en-GB,en;q=0.9" },
    });
    const page = await context.newPage();
    for (const path of plan.public) await check(page, lang, path);

    await page.goto(`${plan.base}/admin/login`);
    await page.fill("#email", plan.staff.email);
    await page.fill("#password", plan.staff.password);
    await submit(page, "main button[type=submit]");
    for (const path of plan.console) await check(page, lang, path);

    await page.goto(`${plan.base}/s/main/login`);
    await page.fill("#login_id", plan.customer.login);
    await page.fill("#password", plan.customer.password);
    await submit(page, "main button[type=submit]");
    for (const path of plan.portal) await check(page, lang, path);
    await context.close();
  }
} finally {
  await browser.close();
}

if (failures.length > 0) {
  console.log(failures.join("\n"));
  console.log(`${failures.length} problem(s) on ${checked} pages`);
  process.exit(1);
}
console.log(`accessibility: ${checked} pages checked, no violation`);
