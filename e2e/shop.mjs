// A small shop that signs its customers in through Gatehouse, as any web
// app would: standard OpenID Connect with the `openid-client` library (code
// flow with PKCE, the ID token checked with state and nonce), RP-initiated
// logout, and Back-Channel Logout with the logout token verified by `jose`
// against the provider's JWKS. Nothing in it knows Gatehouse beyond the
// issuer URL, the client ID and the secret.
//
// Also the README's "Node.js" example: run it on its own with
//   node e2e/shop.mjs ISSUER CLIENT_ID CLIENT_SECRET PORT
// and open http://127.0.0.1:PORT/.
import http from "node:http";
import { randomUUID } from "node:crypto";
import * as client from "openid-client";
import { createRemoteJWKSet, jwtVerify } from "jose";

const LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

/** Starts the shop on 127.0.0.1:port; answers { url, logouts, close }. */
export async function startShop({ issuer, clientId, clientSecret, port }) {
  const base = `http://127.0.0.1:${port}`;
  // The issuer is plain http only in tests on loopback.
  const insecure = issuer.startsWith("http://") ? { execute: [client.allowInsecureRequests] } : undefined;
  const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, insecure);
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
  const pending = new Map(); // browser cookie -> { verifier, state, nonce }
  const sessions = new Map(); // session cookie -> { sub, email, name, idToken }
  const logouts = []; // verified logout tokens' claims

  const cookie = (req, name) =>
    (req.headers.cookie || "").split(/;\s*/).map((c) => c.split("=")).find(([k]) => k === name)?.[1];
  const page = (res, body) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><head><title>Shop</title></head><body><main>${body}</main></body></html>`);
  };
  const redirect = (res, to, headers = {}) => {
    res.writeHead(303, { location: to, ...headers });
    res.end();
  };
  const readBody = (req) =>
    new Promise((resolve, reject) => {
      let data = "";
      req.on("data", (chunk) => (data += chunk));
      req.on("end", () => resolve(data));
      req.on("error", reject);
    });

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, base);
      if (req.method === "GET" && url.pathname === "/") {
        const s = sessions.get(cookie(req, "shop_session"));
        return page(res, s
          ? `<h1>Shop</h1><p id="who">Signed in as ${s.email}</p><a id="sign-out" href="/logout">Sign out</a>`
          : `<h1>Shop</h1><p id="who">Signed out</p><a id="sign-in" href="/login">Sign in</a>`);
      }
      if (req.method === "GET" && url.pathname === "/login") {
        const verifier = client.randomPKCECodeVerifier();
        const state = client.randomState();
        const nonce = client.randomNonce();
        const key = randomUUID();
        pending.set(key, { verifier, state, nonce });
        const to = client.buildAuthorizationUrl(config, {
          redirect_uri: `${base}/callback`,
          scope: "openid profile email",
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: "S256",
          state,
          nonce,
        });
        return redirect(res, to.href, { "set-cookie": `shop_tx=${key}; HttpOnly; Path=/; SameSite=Lax` });
      }
      if (req.method === "GET" && url.pathname === "/callback") {
        const tx = pending.get(cookie(req, "shop_tx"));
        if (!tx) return page(res, "<p>No sign-in was started here.</p>");
        pending.delete(cookie(req, "shop_tx"));
        const tokens = await client.authorizationCodeGrant(config, url, {
          pkceCodeVerifier: tx.verifier,
          expectedState: tx.state,
          expectedNonce: tx.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        const id = randomUUID();
        sessions.set(id, { sub: claims.sub, email: claims.email, idToken: tokens.id_token });
        return redirect(res, "/", { "set-cookie": `shop_session=${id}; HttpOnly; Path=/; SameSite=Lax` });
      }
      if (req.method === "GET" && url.pathname === "/logout") {
        const id = cookie(req, "shop_session");
        const s = sessions.get(id);
        sessions.delete(id);
        if (!s) return redirect(res, "/");
        const to = client.buildEndSessionUrl(config, {
          id_token_hint: s.idToken,
          post_logout_redirect_uri: `${base}/`,
        });
        return redirect(res, to.href);
      }
      if (req.method === "POST" && url.pathname === "/backchannel") {
        const token = new URLSearchParams(await readBody(req)).get("logout_token");
        try {
          const { payload } = await jwtVerify(token, jwks, {
            issuer: config.serverMetadata().issuer,
            audience: clientId,
            typ: "logout+jwt",
            maxTokenAge: "5 minutes",
          });
          if (!payload.events || typeof payload.events[LOGOUT_EVENT] !== "object" || "nonce" in payload || !payload.sub) {
            throw new Error("not a logout token");
          }
          for (const [id, s] of sessions) if (s.sub === payload.sub) sessions.delete(id);
          logouts.push(payload);
          res.writeHead(200, { "cache-control": "no-store" });
          return res.end();
        } catch (e) {
          res.writeHead(400, { "content-type": "application/json" });
          return res.end(JSON.stringify({ error: "invalid_request", error_description: String(e.message) }));
        }
      }
      res.writeHead(404);
      res.end();
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`the shop failed: ${e.message}`);
    }
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: base, logouts, close: () => new Promise((resolve) => server.close(resolve)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [issuer, clientId, clientSecret, port] = process.argv.slice(2);
  if (!port) {
    console.error("usage: node shop.mjs ISSUER CLIENT_ID CLIENT_SECRET PORT");
    process.exit(2);
  }
  const shop = await startShop({ issuer, clientId, clientSecret, port: Number(port) });
  console.log(`the shop is at ${shop.url}/`);
}
