//! Where links in mail point. A site's `base_url` setting wins; otherwise the
//! server's public origin (configured, or the address it listens on) plus
//! `/s/{site}`. Never the request's Host header, which a caller controls.

use std::sync::{Arc, RwLock};

use gatehouse_store::Site;

/// The public origin, shared by every clone of the app.
#[derive(Debug, Clone, Default)]
pub struct Links {
    origin: Arc<RwLock<String>>,
}

impl Links {
    /// Sets the origin (`https://portal.example.com`), without a trailing `/`.
    pub fn set_origin(&self, origin: &str) {
        if let Ok(mut o) = self.origin.write() {
            *o = origin.trim_end_matches('/').to_string();
        }
    }

    /// Sets the origin unless one is set already.
    pub fn set_origin_if_unset(&self, origin: &str) {
        if self.origin().is_empty() {
            self.set_origin(origin);
        }
    }

    /// The origin in force.
    pub fn origin(&self) -> String {
        self.origin.read().map(|o| o.clone()).unwrap_or_default()
    }

    /// The base of a site's portal pages, without a trailing `/`.
    pub fn site_base(&self, site: &Site) -> String {
        match &site.settings.base_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("{}/s/{}", self.origin(), site.key),
        }
    }

    /// A portal page of the site, e.g. `site_page(site, "activate?token=…")`.
    pub fn site_page(&self, site: &Site, path_and_query: &str) -> String {
        format!(
            "{}/{}",
            self.site_base(site),
            path_and_query.trim_start_matches('/')
        )
    }
}

/// A value as it stands in a URL's query (`application/x-www-form-urlencoded`,
/// as RFC 6749 §4.1.2 asks of a redirect's parameters): the one URL
/// encoding of Gatehouse, for redirects to apps and links between pages.
pub fn query_value(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_value_is_form_encoded() {
        assert_eq!(query_value("a b&c=d/é+"), "a+b%26c%3Dd%2F%C3%A9%2B");
        assert_eq!(query_value("plain-._~"), "plain-._%7E");
    }
}
