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
