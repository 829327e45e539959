// A customer registers, activates, signs in, changes the password and signs
// out through Gatehouse's portal pages in headless Chromium.
// Usage: node portal.mjs BASE_URL MAIL_DIR [SCREENSHOT.png]
// Exits 0 when every step showed what it should; otherwise prints the step.
import { launch } from "./chromium.mjs";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [base, mailDir, screenshot] = process.argv.slice(2);
if (!base || !mailDir) {
  console.error("usage: node portal.mjs BASE_URL MAIL_DIR [SCREENSHOT.png]");
  process.exit(2);
}
const email = `e2e-${Date.now()}@example.com`;
const password = "correct horse battery staple";
const newPassword = "violet anchors juggle quietly";

let lastText = "";
function check(condition, what) {
  if (!condition) throw new Error(`expected: ${what}; the page said:\n${lastText}`);
}

// Submits the page's main form and waits for the answer to load.
async function submit(page) {
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
}

async function activationLink() {
  for (let i = 0; i < 200; i++) {
    let names = [];
    try { names = readdirSync(mailDir).filter((n) => n.endsWith(".eml")); } catch { /* not yet */ }
    for (const name of names) {
      const raw = readFileSync(join(mailDir, name), "utf8").replaceAll("=\r\n", "").replaceAll("=3D", "=");
      if (!raw.includes(`To: ${email}`)) continue;
      const match = raw.match(/https?:\/\/[^\s"<>]+\/activate\?token=[A-Za-z0-9_-]+/);
      if (match) return match[0];
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no activation mail reached ${email}`);
}

const browser = await launch();
let step = "start";
try {
  const page = await browser.newPage();
  const text = async () => (lastText = await page.locator("body").innerText());

  step = "register";
  await page.goto(`${base}/s/main/register`);
  await page.fill("#email", email);
  await page.fill("#first_name", "Ada");
  await page.fill("#last_name", "Lovelace");
  await page.fill("#password", password);
  await submit(page);
  check((await text()).includes("Check your mail"), "the check-your-mail page");

  step = "activate";
  await page.goto(await activationLink());
  check((await text()).includes("Your e-mail address is confirmed"), "the confirmation page");

  step = "sign in";
  await page.goto(`${base}/s/main/login`);
  await page.fill("#login_id", email);
  await page.fill("#password", password);
  await page.click("main button[type=submit]");
  await page.waitForURL(`${base}/s/main/`);
  check((await text()).includes(`You are signed in as ${email}`), "the home page");
  await page.click("main a:has-text('Your details')");
  await page.waitForURL("**/s/main/profile");
  check((await text()).includes("Your profile"), "the profile page");
  check((await text()).includes(email), "the profile shows the login ID");

  step = "change password";
  await page.click("a[href='/s/main/change-password']");
  await page.fill("#current_password", password);
  await page.fill("#new_password", newPassword);
  await page.fill("#new_password_confirm", newPassword);
  await page.click("main button[type=submit]");
  await page.waitForURL("**/s/main/profile?notice=change_done");
  check((await text()).includes("Your password was changed"), "the password-changed notice");

  step = "sign out";
  await page.click("header button:has-text('Sign out')");
  await page.waitForURL("**/s/main/login?notice=signed_out");
  check((await text()).includes("You are signed out."), "the signed-out notice");
  await page.goto(`${base}/s/main/profile`);
  check(page.url().endsWith("/s/main/login?next=%2Fs%2Fmain%2Fprofile"), "the profile needs signing in again");

  step = "sign in with the new password";
  await page.fill("#login_id", email);
  await page.fill("#password", newPassword);
  await page.click("main button[type=submit]");
  await page.waitForURL(`${base}/s/main/profile`);
  check((await text()).includes("Your profile"), "back to the page asked for");
  await page.goto(`${base}/s/main/`);
  check((await text()).includes("One session: this one."), "the home page counts the sessions");
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  console.log("browser walk: register, activate, sign in, change password, sign out: ok");
} catch (e) {
  console.error(`browser walk failed at "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
