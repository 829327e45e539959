// A customer registers, activates, signs in, changes the password, signs
// out, and turns two-step sign-in on (the QR code read back by zbarimg, the
// code computed here by RFC 6238) and signs in with a code and then with a
// recovery code, through Gatehouse's portal pages in headless Chromium.
// Usage: node portal.mjs BASE_URL MAIL_DIR [SCREENSHOT.png]
// Exits 0 when every step showed what it should; otherwise prints the step.
import { launch } from "./chromium.mjs";
import { createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

// RFC 4648 base32 to bytes.
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

// RFC 6238: the six-digit code of a base32 secret at a time (SHA-1, 30 s).
function totp(secret, unix = Date.now() / 1000) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unix / 30)));
  const h = createHmac("sha1", base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  const n = (((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1_000_000;
  return String(n).padStart(6, "0");
}
// RFC 6238 appendix B, SHA-1, T = 59.
if (totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59) !== "287082") throw new Error("the test's TOTP is wrong");

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

  step = "turn two-step sign-in on";
  await page.click("a[href='/s/main/two-step']");
  await page.waitForURL("**/s/main/two-step");
  const secret = (await page.locator("code.secret").innerText()).trim();
  const shot = join(tmpdir(), `gatehouse-portal-qr-${Date.now()}.png`);
  await page.locator("figure.qr").screenshot({ path: shot });
  const scanned = execFileSync("zbarimg", ["--raw", "-q", shot], { encoding: "utf8" }).trim();
  check(scanned.startsWith("otpauth://totp/") && scanned.includes(`secret=${secret}`), `the QR code holds the secret (read: ${scanned})`);
  await page.reload();
  check((await page.locator("code.secret").innerText()).trim() === secret, "a reload shows the same secret");
  await page.fill("#code", totp(secret));
  await submit(page);
  check((await text()).includes("Your recovery codes"), "the recovery codes, shown once");
  const codes = await page.locator("ul.codes code").allInnerTexts();
  check(codes.length === 10, "ten recovery codes");

  step = "sign in with the app's code";
  await page.click("header button:has-text('Sign out')");
  await page.waitForURL("**/s/main/login?notice=signed_out");
  await page.fill("#login_id", email);
  await page.fill("#password", newPassword);
  await submit(page);
  check(page.url().endsWith("/s/main/login/second-step"), "the second step after the password");
  await page.goto(`${base}/s/main/profile`);
  check(page.url().includes("/s/main/login?next="), "no session before the code");
  await page.goto(`${base}/s/main/login/second-step`);
  // The next step's code: the one that turned it on was used, and each is
  // good once (one step of clock skew is allowed).
  await page.fill("#code", totp(secret, Date.now() / 1000 + 30));
  await submit(page);
  check(page.url() === `${base}/s/main/`, "signed in after the code");

  step = "sign in with a recovery code";
  await page.click("header button:has-text('Sign out')");
  await page.waitForURL("**/s/main/login?notice=signed_out");
  await page.fill("#login_id", email);
  await page.fill("#password", newPassword);
  await submit(page);
  await page.fill("#code", codes[0]);
  await submit(page);
  check(page.url() === `${base}/s/main/`, "signed in with a recovery code");
  await page.goto(`${base}/s/main/two-step`);
  check((await text()).includes("You have 9 unused recovery codes."), "one code used up");
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  console.log("browser walk: register, activate, sign in, change password, sign out, two-step sign-in: ok");
} catch (e) {
  console.error(`browser walk failed at "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
