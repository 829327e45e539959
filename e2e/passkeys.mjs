// A customer adds a passkey on the portal's passkeys page and signs in with
// it, typing nothing, in headless Chromium with the DevTools virtual
// authenticator (CTAP2, internal transport, resident keys, user
// verification) standing in for the phone. The portal must be reached at a
// host name (`localhost`): WebAuthn takes no IP address.
// Usage: node passkeys.mjs BASE_URL LOGIN PASSWORD [SCREENSHOT.png]
// Exits 0 when every step showed what it should; otherwise prints the step.
import { launch } from "./chromium.mjs";

const [base, login, password, screenshot] = process.argv.slice(2);
if (!base || !login || !password) {
  console.error("usage: node passkeys.mjs BASE_URL LOGIN PASSWORD [SCREENSHOT.png]");
  process.exit(2);
}

let lastText = "";
function check(condition, what) {
  if (!condition) throw new Error(`expected: ${what}; the page said:\n${lastText}`);
}

const browser = await launch();
let step = "start";
try {
  const page = await browser.newPage();
  const text = async () => (lastText = await page.locator("body").innerText());
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  // The autofill (conditional mediation) is turned off for a page while
  // `no-autofill` is in its session storage, so that the button is tried
  // on its own: the virtual authenticator answers an autofill request at
  // once, where a person would pick the passkey from the list.
  await page.addInitScript(() => {
    if (sessionStorage.getItem("no-autofill") && window.PublicKeyCredential) {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    }
  });

  step = "sign in with the password";
  await page.goto(`${base}/s/main/login`);
  await page.fill("#login_id", login);
  await page.fill("#password", password);
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
  check(page.url() === `${base}/s/main/`, "signed in");

  step = "add a passkey";
  await page.goto(`${base}/s/main/passkeys`);
  check((await text()).includes("You have no passkey yet."), "no passkey yet");
  await page.fill("#passkey-name", "Laptop");
  await Promise.all([page.waitForURL("**/s/main/passkeys?notice=passkey_added"), page.click("#passkey-add")]);
  check((await text()).includes("The passkey was added."), "the passkey-added notice");
  check(await page.locator("input[value='Laptop']").count() === 1, "the passkey listed by its name");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  check(credentials.length === 1 && credentials[0].isResidentCredential, "one discoverable credential on the device");

  step = "sign out";
  await page.evaluate(() => sessionStorage.setItem("no-autofill", "1"));
  await page.click("header button:has-text('Sign out')");
  await page.waitForURL("**/s/main/login?notice=signed_out");

  step = "sign in with the passkey's button, typing nothing";
  check(await page.locator("#login_id").inputValue() === "", "nothing typed");
  await page.locator("#passkey-sign-in").waitFor({ state: "visible" });
  await Promise.all([page.waitForURL(`${base}/s/main/`), page.click("#passkey-sign-in")]);
  check((await text()).includes(`You are signed in as ${login}`), "the home page, signed in");
  await page.goto(`${base}/s/main/passkeys`);
  check(!(await text()).includes("never"), "the passkey's last use is shown");

  step = "sign in by the browser's autofill";
  await page.click("header button:has-text('Sign out')");
  await page.waitForURL("**/s/main/login?notice=signed_out");
  await page.evaluate(() => sessionStorage.removeItem("no-autofill"));
  await Promise.all([page.waitForURL(`${base}/s/main/`), page.reload()]);
  check((await text()).includes(`You are signed in as ${login}`), "signed in by the autofill's passkey");
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  console.log("passkey walk: add a passkey, sign in with it by its button and by the autofill, typing nothing: ok");
} catch (e) {
  console.error(`passkey walk failed at "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
