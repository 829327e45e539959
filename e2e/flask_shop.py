"""A small shop in Python that signs its customers in through Gatehouse, as
any Flask app would with Authlib: the code flow with PKCE (state and nonce
checked, the ID token verified against the provider's JWKS), RP-initiated
logout, and Back-Channel Logout with the logout token verified the same
way. Nothing in it knows Gatehouse beyond the issuer, the client ID and the
secret.

It is docs/oidc.md's Python recipe, and crates/web/tests/python_app.rs
runs it against a live Gatehouse. On its own:

    pip install flask authlib requests
    python3 e2e/flask_shop.py ISSUER CLIENT_ID CLIENT_SECRET PORT

then open http://127.0.0.1:PORT/. Register the app with the redirect URI
http://127.0.0.1:PORT/callback, the post-logout address
http://127.0.0.1:PORT/ and the back-channel logout address
http://127.0.0.1:PORT/backchannel.
"""

import secrets
import sys
from urllib.parse import urlencode

from authlib.integrations.flask_client import OAuth
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.jose.errors import JoseError
from flask import Flask, redirect, request, session, url_for
from markupsafe import escape

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def create_app(issuer, client_id, client_secret):
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)
    oauth = OAuth(app)
    oauth.register(
        "gatehouse",
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_id=client_id,
        client_secret=client_secret,
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    # The portal sessions (`sid`) a logout token ended: a signed-in browser
    # whose session is among them is signed out on its next request. (A
    # shop with server-side sessions would delete them instead.)
    ended = set()

    def page(body):
        return f'<!doctype html><html lang="en"><head><title>Shop</title></head><body><main>{body}</main></body></html>'

    @app.get("/")
    def home():
        user = session.get("user")
        if user and user["sid"] in ended:
            session.clear()
            user = None
        if user:
            return page(f'<h1>Shop</h1><p id="who">Signed in as {escape(user["email"])}</p>'
                        '<a id="sign-out" href="/logout">Sign out</a>')
        return page('<h1>Shop</h1><p id="who">Signed out</p><a id="sign-in" href="/login">Sign in</a>')

    @app.get("/login")
    def login():
        return oauth.gatehouse.authorize_redirect(url_for("callback", _external=True))

    @app.get("/callback")
    def callback():
        # Checks state, exchanges the code with the PKCE verifier, and
        # verifies the ID token (signature by the JWKS, iss, aud, exp, nonce).
        token = oauth.gatehouse.authorize_access_token()
        claims = token["userinfo"]
        session["user"] = {"sub": claims["sub"], "email": claims.get("email"), "sid": claims.get("sid")}
        session["id_token"] = token["id_token"]
        return redirect("/")

    @app.get("/logout")
    def logout():
        id_token = session.get("id_token")
        session.clear()
        end = oauth.gatehouse.load_server_metadata()["end_session_endpoint"]
        query = urlencode({"id_token_hint": id_token or "", "post_logout_redirect_uri": url_for("home", _external=True)})
        return redirect(f"{end}?{query}")

    @app.post("/backchannel")
    def backchannel():
        metadata = oauth.gatehouse.load_server_metadata()
        keys = JsonWebKey.import_key_set(oauth.gatehouse.fetch_jwk_set())
        try:
            claims = JsonWebToken(["ES256", "RS256"]).decode(
                request.form.get("logout_token", ""), lambda header, _: keys.find_by_kid(header.get("kid")),
                claims_options={"iss": {"essential": True, "value": metadata["issuer"]},
                                "aud": {"essential": True, "value": client_id},
                                "iat": {"essential": True}, "jti": {"essential": True}})
            claims.validate(leeway=60)
        except (JoseError, ValueError) as e:
            return {"error": "invalid_request", "error_description": str(e)}, 400
        if LOGOUT_EVENT not in claims.get("events", {}) or "nonce" in claims or not claims.get("sid"):
            return {"error": "invalid_request", "error_description": "not a logout token"}, 400
        ended.add(claims["sid"])
        return "", 200

    return app


if __name__ == "__main__":
    issuer, client_id, client_secret, port = sys.argv[1:5]
    create_app(issuer, client_id, client_secret).run(host="127.0.0.1", port=int(port))
