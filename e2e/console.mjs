// Staff approve a pending registration from the console's queue and then
// impersonate the customer (banner visible, password change refused), in
// headless Chromium.
// Usage: node console.mjs BASE_URL STAFF_EMAIL STAFF_PASSWORD CUSTOMER_LOGIN [SCREENSHOT.png]
import { launch } from "./chromium.mjs";

const [base, staffEmail, staffPassword, customer, screenshot] = process.argv.slice(2);
if (!customer) {
  console.error("usage: node console.mjs BASE_URL STAFF_EMAIL STAFF_PASSWORD CUSTOMER_LOGIN [SCREENSHOT.png]");
  process.exit(2);
}
let lastText = "";
function check(condition, what) {
  if (!condition) throw new Error(`expected: ${what}; the page said:\n${lastText}`);
}

const browser = await launch();
let step = "start";
try {
  // A reader in New York: the console shows times in their zone.
  const page = await browser.newPage({ timezoneId: "America/New_York", locale: "en-US" });
  const text = async () => (lastText = await page.locator("body").innerText());
  const submitVia = async (selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);

  step = "staff sign-in";
  await page.goto(`${base}/admin/login`);
  await page.fill("#email", staffEmail);
  await page.fill("#password", staffPassword);
  await submitVia("main button[type=submit]");
  check((await text()).includes("Console"), "the console home");

  step = "approve from the queue";
  await page.goto(`${base}/admin/registrations?status=pending`);
  check((await text()).includes("Pending (1)"), "one pending registration");
  const registered = page.locator("tbody time").first();
  check((await registered.getAttribute("title")).endsWith(" UTC"), "the exact UTC time on hover");
  check(/\b(EST|EDT|GMT-5|GMT-4)\b/.test(await registered.innerText()), `in the reader's time zone: ${await registered.innerText()}`);
  await page.check("input[data-select-all]");
  check(await page.isChecked(`input[aria-label='select ${customer}']`), "the select-all box ticks every row");
  await page.uncheck(`input[aria-label='select ${customer}']`);
  check(!(await page.isChecked("input[data-select-all]")), "unticking a row unticks select-all");
  await page.check(`input[aria-label='select ${customer}']`);
  const offered = await page.locator("#action option").evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  check(!offered.includes("unblock") && offered.includes("approve"), `only what a pending account allows: ${offered}`);
  await page.selectOption("#action", "approve");
  await submitVia("button[value=selected]");
  check((await text()).includes("Approve one account?"), "asked first, naming the count");
  check(!(await text()).includes("approved"), "nothing done yet");
  await submitVia("main form button[type=submit]");
  check((await text()).includes("1 approved"), "the per-row report");
  check((await text()).includes("Pending (0)"), "the queue emptied");

  step = "open the account";
  await page.goto(`${base}/admin/registrations?status=active`);
  await submitVia(`a:has-text('${customer}')`);
  check((await text()).includes("(active)"), "the account page");

  step = "impersonate";
  await page.fill("#imp_reason", "customer asked for help on the phone");
  await submitVia("button:has-text('Impersonate')");
  await page.waitForURL("**/s/main/profile");
  check((await text()).includes(`Staff view: you are seeing this portal as ${customer}`), "the impersonation banner");

  step = "password change refused";
  await page.goto(`${base}/s/main/change-password`);
  await page.fill("#current_password", "correct horse battery staple");
  await page.fill("#new_password", "violet anchors juggle quietly");
  await page.fill("#new_password_confirm", "violet anchors juggle quietly");
  await submitVia("main button[type=submit]");
  check((await text()).toLowerCase().includes("cannot be changed while impersonating"), "the refusal");
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });

  step = "end impersonation";
  await submitVia(".impersonation button");
  check(page.url().includes("/admin/accounts/"), "back on the account page");
  console.log("console walk: approve from the queue, impersonate, password change refused: ok");
} catch (e) {
  console.error(`console walk failed at "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
