// Passkeys on the portal: adding one (the passkeys page) and signing in with
// one (the sign-in page), through the WebAuthn API and the portal's JSON
// calls. The pages work without this script; its buttons show only where
// the browser has passkeys. Binary values travel as base64url.
(() => {
  "use strict";
  if (!window.PublicKeyCredential) return;

  const decode = (text) => {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer;
  };
  const encode = (buffer) => {
    let raw = "";
    for (const byte of new Uint8Array(buffer)) raw += String.fromCharCode(byte);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  const creationOptions = (options) => {
    const o = options.publicKey;
    o.challenge = decode(o.challenge);
    o.user.id = decode(o.user.id);
    for (const c of o.excludeCredentials || []) c.id = decode(c.id);
    return o;
  };
  const requestOptions = (options) => {
    const o = options.publicKey;
    o.challenge = decode(o.challenge);
    for (const c of o.allowCredentials || []) c.id = decode(c.id);
    return o;
  };
  const created = (c) => ({
    id: c.id,
    rawId: encode(c.rawId),
    type: c.type,
    response: {
      attestationObject: encode(c.response.attestationObject),
      clientDataJSON: encode(c.response.clientDataJSON),
      transports: c.response.getTransports ? c.response.getTransports() : undefined,
    },
    extensions: c.getClientExtensionResults(),
  });
  const asserted = (c) => ({
    id: c.id,
    rawId: encode(c.rawId),
    type: c.type,
    response: {
      authenticatorData: encode(c.response.authenticatorData),
      clientDataJSON: encode(c.response.clientDataJSON),
      signature: encode(c.response.signature),
      userHandle: c.response.userHandle ? encode(c.response.userHandle) : null,
    },
    extensions: c.getClientExtensionResults(),
  });

  const post = async (url, body) => {
    const r = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    const answer = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error(answer.error ? answer.error.message : r.statusText), { status: r.status, code: answer.error && answer.error.code });
    return answer;
  };
  const say = (element, text) => {
    element.textContent = text;
    element.hidden = false;
  };

  // The sign-in page: a button, and the browser's autofill where offered.
  const signIn = document.getElementById("passkey-sign-in");
  if (signIn) {
    const site = signIn.dataset.site;
    const problem = document.getElementById("passkey-problem");
    let waiting = null;
    const finish = async (challenge, credential) => {
      const done = await post(`/api/v1/sites/${site}/sessions/passkey`, {
        ceremony: challenge.ceremony,
        credential: asserted(credential),
      });
      const next = signIn.dataset.next;
      window.location.assign(done.must_change_password ? `/s/${site}/change-password` : next || `/s/${site}/`);
    };
    // Said in the page's language: a reason the account may not sign in
    // (after the passkey was proven), else that it did not work.
    const refused = (e) => {
      if (e && e.name === "AbortError") return;
      const code = (e && e.code) || "";
      const reason = code && signIn.dataset["error" + code.charAt(0).toUpperCase() + code.slice(1)];
      say(problem, reason || signIn.dataset.failed);
    };
    signIn.hidden = false;
    signIn.addEventListener("click", async () => {
      problem.hidden = true;
      if (waiting) waiting.abort();
      try {
        const challenge = await post(`/api/v1/sites/${site}/sessions/passkey/options`);
        const credential = await navigator.credentials.get({ publicKey: requestOptions(challenge.options) });
        await finish(challenge, credential);
      } catch (e) {
        refused(e);
      }
    });
    // Autofill: the login ID field offers the passkeys the device keeps.
    if (PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(async (available) => {
        if (!available) return;
        try {
          waiting = new AbortController();
          const challenge = await post(`/api/v1/sites/${site}/sessions/passkey/options`);
          const credential = await navigator.credentials.get({
            publicKey: requestOptions(challenge.options),
            mediation: "conditional",
            signal: waiting.signal,
          });
          await finish(challenge, credential);
        } catch (e) {
          refused(e);
        }
      });
    }
  }

  // The passkeys page: add one under the name typed.
  const add = document.getElementById("passkey-add");
  if (add) {
    const site = add.dataset.site;
    const problem = document.getElementById("passkey-problem");
    const form = document.getElementById("passkey-add-form");
    form.hidden = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem.hidden = true;
      const name = document.getElementById("passkey-name").value;
      try {
        const challenge = await post(`/api/v1/sites/${site}/me/passkeys/options`);
        const credential = await navigator.credentials.create({ publicKey: creationOptions(challenge.options) });
        await post(`/api/v1/sites/${site}/me/passkeys`, {
          ceremony: challenge.ceremony,
          name,
          credential: created(credential),
        });
        window.location.assign(`/s/${site}/passkeys?notice=passkey_added`);
      } catch (e) {
        say(problem, add.dataset.failed);
      }
    });
  }
})();
