// A shop signs a customer in through Gatehouse, in headless Chromium: the
// customer clicks "Sign in" in the shop, signs in on the portal's page,
// allows the shop (a third-party app) on the consent page, and lands back
// in the shop signed in; signs out through the shop (RP-initiated logout,
// which ends the portal session too, and sends the shop a logout token for
// that session); signs in again (not asked again);
// then a staff user blocks them in the console, and the shop's back-channel
// endpoint receives a logout token it verifies, which signs the customer
// out of the shop within seconds.
// Usage: node oidc.mjs BASE_URL SHOP_PORT CLIENT_ID CLIENT_SECRET CUSTOMER_LOGIN
//        CUSTOMER_PASSWORD ACCOUNT_ID STAFF_EMAIL STAFF_PASSWORD [SCREENSHOT.png]
import { launch } from "./chromium.mjs";
import { startShop } from "./shop.mjs";

const [base, shopPort, clientId, clientSecret, login, password, accountId, staffEmail, staffPassword, screenshot] =
  process.argv.slice(2);
if (!staffPassword) {
  console.error("usage: node oidc.mjs BASE_URL SHOP_PORT CLIENT_ID CLIENT_SECRET CUSTOMER_LOGIN CUSTOMER_PASSWORD ACCOUNT_ID STAFF_EMAIL STAFF_PASSWORD [SCREENSHOT.png]");
  process.exit(2);
}
let lastText = "";
function check(condition, what) {
  if (!condition) throw new Error(`expected: ${what}; the page said:\n${lastText}`);
}

const shop = await startShop({ issuer: `${base}/s/main`, clientId, clientSecret, port: Number(shopPort) });
const browser = await launch();
let step = "start";
try {
  const customer = await browser.newPage();
  const text = async (page = customer) => (lastText = await page.locator("body").innerText());
  const signInThroughShop = async (asksConsent) => {
    await customer.goto(`${shop.url}/`);
    check((await text()).includes("Signed out"), "the shop, signed out");
    await customer.click("#sign-in");
    await customer.waitForURL(`${base}/s/main/login**`);
    await customer.fill("#login_id", login);
    await customer.fill("#password", password);
    await customer.click("main button[type=submit]");
    // The portal's page continues by itself: to the consent page (the shop
    // is not the business's own) the first time, then to the shop.
    await customer.waitForURL((url) => url.href.startsWith(shop.url) || url.pathname.endsWith("/oauth2/authorize"));
    const consent = customer.url().includes("/oauth2/authorize");
    check(consent === asksConsent, asksConsent ? "the consent page" : "no consent page: the answer is remembered");
    if (consent) {
      check((await text()).includes("Allow Shop?"), "the consent page names the app");
      await customer.click("button[name=decision][value=allow]");
    }
    await customer.waitForURL(`${shop.url}/`);
    check((await text()).includes(`Signed in as ${login}`), "back in the shop, signed in");
  };

  step = "sign in through the shop, allowing it";
  await signInThroughShop(true);
  if (screenshot) await customer.screenshot({ path: screenshot, fullPage: true });

  step = "sign out through the shop";
  await customer.click("#sign-out");
  await customer.waitForURL(`${shop.url}/`);
  check((await text()).includes("Signed out"), "back in the shop, signed out");
  await customer.goto(`${base}/s/main/profile`);
  check(customer.url().includes("/s/main/login"), "signed out of the portal as well");

  // The shop itself is told of the logout it asked for (its other
  // instances end by the same token), for the session it signed in with.
  const deadlineOwn = Date.now() + 10_000;
  while (shop.logouts.length === 0 && Date.now() < deadlineOwn) await new Promise((r) => setTimeout(r, 50));
  check(shop.logouts.length === 1, "one logout token for the shop's own sign-out");
  const ownSid = shop.logouts[0].sid;

  step = "sign in again";
  await signInThroughShop(false);

  step = "staff block the customer in the console";
  const staff = await browser.newPage();
  await staff.goto(`${base}/admin/login`);
  await staff.fill("#email", staffEmail);
  await staff.fill("#password", staffPassword);
  await Promise.all([staff.waitForNavigation(), staff.click("main button[type=submit]")]);
  await staff.goto(`${base}/admin/accounts/${accountId}`);
  await staff.fill("#reason", "card fraud reported by the bank");
  await Promise.all([staff.waitForNavigation(), staff.click("button[name=action][value=block]")]);
  check((await text(staff)).includes("(blocked)"), "the account page says blocked");

  step = "the shop hears it";
  const deadline = Date.now() + 10_000;
  while (shop.logouts.length === 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  check(shop.logouts.length === 2, "one more verified logout token at the shop's back-channel endpoint");
  check(shop.logouts[1].sub === accountId, `the logout token names the account (${JSON.stringify(shop.logouts[1])})`);
  check(shop.logouts[1].sid !== ownSid, "for the new sign-in's session, not the one signed out before");
  await customer.goto(`${shop.url}/`);
  check((await text()).includes("Signed out"), "signed out of the shop without doing anything");
  console.log("oidc walk: sign in through the shop, sign out through it, blocked in the console, back-channel logout: ok");
} catch (e) {
  console.error(`oidc walk failed at "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
  await shop.close();
}
