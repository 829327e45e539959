//! What every start does before serving: bring the schema up to date (and
//! turn free-text companies into records), make the default site on a fresh
//! installation and the first signing key of the OpenID provider, and tell
//! whether an admin exists.

use crate::companies::{self, Adopted};
use crate::{App, AppResult, sites};

/// What the start found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Startup {
    /// Free-text companies turned into records just now (nothing after the
    /// first start that found them).
    pub companies: Adopted,
    /// The default site was created just now (a fresh installation).
    pub created_default_site: bool,
    /// How many staff users exist; with none, nobody can use the console yet.
    pub staff_count: i64,
}

/// Migrates, creates the default site if there is none, and counts staff.
#[tracing::instrument(name = "app.startup.prepare", level = "debug", skip_all)]
pub async fn prepare(app: &App) -> AppResult<Startup> {
    app.store.migrate().await?;
    let companies = companies::adopt_free_text(app).await?;
    let created_default_site = sites::ensure_default_site(app).await?;
    crate::oidc::keys::ensure(app).await?;
    let mut tx = app.store.read().await?;
    let staff_count = tx.count_staff().await?;
    Ok(Startup {
        companies,
        created_default_site,
        staff_count,
    })
}
