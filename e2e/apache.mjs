// Apache httpd with mod_auth_openidc protects a page, with Gatehouse as its
// provider, in headless Chromium: the customer opens the page, signs in on
// the portal's page and sees it. Then each way a portal session ends sends
// the browser back to the sign-in on its next request for the page,
// because Apache received a back-channel logout token for that session:
// staff block the customer in the console; the customer signs out on the
// portal; the customer signs out of another app of the same portal session
// (the Node shop, RP-initiated logout).
// Usage: node apache.mjs BASE_URL APACHE_URL PAGE_TEXT SHOP_PORT SHOP_ID SHOP_SECRET
//        CUSTOMER_LOGIN CUSTOMER_PASSWORD ACCOUNT_ID STAFF_EMAIL STAFF_PASSWORD [SCREENSHOT.png]
import { launch } from "./chromium.mjs";
import { startShop } from "./shop.mjs";

const [base, apacheUrl, pageText, shopPort, shopId, shopSecret, login, password, accountId, staffEmail, staffPassword,
  screenshot] = process.argv.slice(2);
if (!staffPassword) {
  console.error("usage: node apache.mjs BASE_URL APACHE_URL PAGE_TEXT SHOP_PORT SHOP_ID SHOP_SECRET CUSTOMER_LOGIN CUSTOMER_PASSWORD ACCOUNT_ID STAFF_EMAIL STAFF_PASSWORD [SCREENSHOT.png]");
  process.exit(2);
}
let lastText = "";
function check(condition, what) {
  if (!condition) throw new Error(`expected: ${what}; the page said:\n${lastText}`);
}

const protectedPage = `${apacheUrl}/protected/index.html`;
const portalLogin = `${base}/s/main/login`;
const shop = await startShop({ issuer: `${base}/s/main`, clientId: shopId, clientSecret: shopSecret, port: Number(shopPort) });
const browser = await launch();
let step = "start";
try {
  const customer = await browser.newPage();
  const text = async (page = customer) => (lastText = await page.locator("body").innerText());

  // Opens the protected page; signs in on the portal when asked.
  const signInToApache = async () => {
    await customer.goto(protectedPage);
    await customer.waitForURL((url) => url.href.startsWith(portalLogin) || url.href === protectedPage);
    if (customer.url().startsWith(portalLogin)) {
      await customer.fill("#login_id", login);
      await customer.fill("#password", password);
      await customer.click("main button[type=submit]");
      // The portal's page continues by itself to Apache, which redeems the
      // code and shows the page asked for.
      await customer.waitForURL(protectedPage);
    }
    check((await text()).includes(pageText), "the protected page");
  };

  // Asks for the page until Apache sends the browser to the portal's
  // sign-in (up to 10 s: the logout token travels through the outbox).
  const signedOutOfApache = async (what) => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      await customer.goto(protectedPage);
      if (customer.url().startsWith(portalLogin)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    await text();
    check(false, `${what}: Apache sends the browser to the sign-in within 10 s`);
  };

  const staff = await browser.newPage();
  const account = async (action) => {
    await staff.goto(`${base}/admin/accounts/${accountId}`);
    await staff.fill("#reason", "card fraud reported by the bank");
    await Promise.all([staff.waitForNavigation(), staff.click(`button[name=action][value=${action}]`)]);
  };

  step = "sign in to the page behind Apache";
  await signInToApache();
  if (screenshot) await customer.screenshot({ path: screenshot, fullPage: true });

  step = "staff block the customer in the console";
  await staff.goto(`${base}/admin/login`);
  await staff.fill("#email", staffEmail);
  await staff.fill("#password", staffPassword);
  await Promise.all([staff.waitForNavigation(), staff.click("main button[type=submit]")]);
  await account("block");
  check((await text(staff)).includes("(blocked)"), "the account page says blocked");
  await signedOutOfApache("a block");
  await account("unblock");
  check(!(await text(staff)).includes("(blocked)"), "unblocked");

  step = "sign out on the portal";
  await signInToApache();
  await customer.goto(`${base}/s/main/profile`);
  await Promise.all([customer.waitForNavigation(), customer.click("form[action$='/logout'] button")]);
  await signedOutOfApache("a portal sign-out");

  step = "sign out of another app of the same portal session";
  await signInToApache();
  await customer.goto(`${shop.url}/`);
  await customer.click("#sign-in");
  // The portal session signs the shop (the business's own) in at once.
  await customer.waitForURL(`${shop.url}/`);
  check((await text()).includes(`Signed in as ${login}`), "signed in to the shop without a password");
  await customer.click("#sign-out");
  await customer.waitForURL(`${shop.url}/`);
  check((await text()).includes("Signed out"), "signed out of the shop");
  await signedOutOfApache("a logout from the shop");
  console.log("apache walk: signed in behind Apache; a block, a portal sign-out and another app's logout each reached it: ok");
} catch (e) {
  console.error(`apache walk failed at "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
  await shop.close();
}
