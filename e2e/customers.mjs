// Staff filter and sort the console's customer list and download the CSV of
// what they see, in headless Chromium. Prints one JSON line: the total shown,
// the last names in the order shown after sorting, and the downloaded CSV.
// Usage: node customers.mjs BASE_URL STAFF_EMAIL STAFF_PASSWORD COUNTRY
import { readFile } from "node:fs/promises";
import { launch } from "./chromium.mjs";

const [base, staffEmail, staffPassword, country] = process.argv.slice(2);
if (!country) {
  console.error("usage: node customers.mjs BASE_URL STAFF_EMAIL STAFF_PASSWORD COUNTRY");
  process.exit(2);
}

const browser = await launch();
let step = "start";
try {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const submitVia = async (selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);

  step = "staff sign-in";
  await page.goto(`${base}/admin/login`);
  await page.fill("#email", staffEmail);
  await page.fill("#password", staffPassword);
  await submitVia("main button[type=submit]");

  step = "filter by country";
  await page.goto(`${base}/admin/customers`);
  await page.selectOption("#country", country);
  await submitVia("form.filters button[type=submit]");
  const total = (await page.locator("#total").innerText()).trim();

  step = "sort by last name, descending";
  // The list starts sorted by last name ascending; its header link turns it.
  await submitVia("th a:has-text('Last name')");
  const lastNames = await page.locator("table.list tbody tr td:nth-child(3)").allInnerTexts();

  step = "download the CSV";
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Download CSV")]);
  const csv = await readFile(await download.path(), "utf8");

  console.log(JSON.stringify({ total, lastNames, url: page.url(), csv }));
} catch (e) {
  console.error(`customer list walk failed at "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
