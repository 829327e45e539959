//! A software passkey for tests: webauthn-authenticator-rs's `SoftPasskey`
//! (real P-256 keys, real signatures, user verification claimed) holding
//! its credentials as a phone holds discoverable ones: asked to sign in
//! without a credential named, it answers with the one it keeps for the
//! site and says whose it is (the user handle, which WebAuthn does not
//! sign either).
#![allow(clippy::expect_used)]

use serde_json::{Value, json};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

/// A device with passkeys for one origin.
#[allow(missing_debug_implementations)] // the authenticator keeps keys and shows nothing
pub struct Device {
    authenticator: WebauthnAuthenticator<SoftPasskey>,
    origin: Url,
    /// (credential ID, user handle), base64url as WebAuthn's JSON has them.
    kept: Vec<(String, String)>,
}

impl Device {
    /// A device that answers for pages of `origin` (`http://localhost:8080`).
    pub fn new(origin: &str) -> Device {
        Device {
            authenticator: WebauthnAuthenticator::new(SoftPasskey::new(true)),
            origin: Url::parse(origin).expect("an origin"),
            kept: Vec::new(),
        }
    }

    /// Makes a passkey for the options of `navigator.credentials.create`;
    /// answers the `PublicKeyCredential` as JSON.
    pub fn create(&mut self, options: &Value) -> Value {
        // `SoftPasskey` cannot store a credential itself; this device keeps
        // it instead (see `kept`), so it is asked for an ordinary one.
        let mut asked = options.clone();
        asked["publicKey"]["authenticatorSelection"]["requireResidentKey"] = json!(false);
        asked["publicKey"]["authenticatorSelection"]["residentKey"] = json!("discouraged");
        let ccr: CreationChallengeResponse =
            serde_json::from_value(asked).expect("creation options");
        let user = options["publicKey"]["user"]["id"]
            .as_str()
            .expect("a user handle")
            .to_string();
        let credential = self
            .authenticator
            .do_registration(self.origin.clone(), ccr)
            .expect("the device makes a passkey");
        let answer = serde_json::to_value(&credential).expect("JSON");
        let id = answer["rawId"]
            .as_str()
            .expect("a credential ID")
            .to_string();
        self.kept.push((id, user));
        answer
    }

    /// Signs in with the newest passkey kept, for the options of
    /// `navigator.credentials.get`; answers the `PublicKeyCredential` as
    /// JSON, with its user handle.
    pub fn get(&mut self, options: &Value) -> Value {
        let (id, user) = self.kept.last().expect("a passkey kept").clone();
        let mut options = options.clone();
        options["publicKey"]["allowCredentials"] = json!([{"type": "public-key", "id": id}]);
        let rcr: RequestChallengeResponse =
            serde_json::from_value(options).expect("request options");
        let credential = self
            .authenticator
            .do_authentication(self.origin.clone(), rcr)
            .expect("the device signs");
        let mut answer = serde_json::to_value(&credential).expect("JSON");
        answer["response"]["userHandle"] = json!(user);
        answer
    }
}
