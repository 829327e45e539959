//! What an app (a relying party) has on its side of the OpenID provider,
//! shared by the OpenID, conformance and Apache tests: an HTTP client that
//! follows no redirect, an app registered by an admin, a back-channel logout endpoint on 127.0.0.1, and a
//! logout token verified by a relying-party library against the published
//! keys.

use openidconnect::JsonWebKey as _;
use openidconnect::core::{CoreJsonWebKeySet, CoreJwsSigningAlgorithm};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::{TestServer, jwt_part};

/// An HTTP client for the app's side: no redirects followed (relying-party
/// libraries ask for that).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// Registers an app on the site `main` as the admin whose API token is
/// `admin`; answers its `client_id` and secret (a public app has none).
pub async fn register_app(
    server: &TestServer,
    admin: &str,
    body: serde_json::Value,
) -> (String, Option<String>) {
    let (status, made) = server
        .api(
            reqwest::Method::POST,
            "/api/v1/sites/main/clients",
            Some(admin),
            Some(body),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{made}");
    (
        made["client_id"].as_str().expect("a client_id").to_string(),
        made["client_secret"].as_str().map(str::to_string),
    )
}

/// An app's back-channel logout endpoint on 127.0.0.1: answers its address
/// and the logout tokens POSTed to it.
pub async fn logout_receiver() -> (String, UnboundedReceiver<String>) {
    logout_receiver_at(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await
}

/// [`logout_receiver`] on a given address (a receiver that comes back on
/// the port it had).
pub async fn logout_receiver_at(addr: std::net::SocketAddr) -> (String, UnboundedReceiver<String>) {
    let (sender, inbox) = tokio::sync::mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    let router = axum::Router::new().route(
        "/backchannel",
        axum::routing::post(
            move |axum::Form(form): axum::Form<std::collections::HashMap<String, String>>| {
                let sender = sender.clone();
                async move {
                    let token = form.get("logout_token").cloned().unwrap_or_default();
                    // A receiver nobody reads any more has nothing to tell.
                    let _ = sender.send(token);
                    reqwest::StatusCode::OK
                }
            },
        ),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}/backchannel"), inbox)
}

/// The claims of a logout token whose signature a relying-party library
/// verifies against the keys the site `site` publishes, typed as a logout
/// token.
pub async fn verified_logout_token(
    server: &TestServer,
    site: &str,
    token: &str,
) -> serde_json::Value {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS");
    let header = jwt_part(token, 0);
    assert_eq!(header["typ"], "logout+jwt");
    assert_eq!(header["alg"], "ES256");
    let jwks: CoreJsonWebKeySet = http()
        .get(server.url(&format!("/s/{site}/oauth2/jwks")))
        .send()
        .await
        .expect("the JWKS")
        .json()
        .await
        .expect("a JWKS");
    let key = jwks
        .keys()
        .iter()
        .find(|k| k.key_id().map(|k| k.as_str()) == header["kid"].as_str())
        .expect("the key is published");
    key.verify_signature(
        &CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        format!("{}.{}", parts[0], parts[1]).as_bytes(),
        &URL_SAFE_NO_PAD.decode(parts[2]).expect("base64url"),
    )
    .expect("the signature holds");
    jwt_part(token, 1)
}
