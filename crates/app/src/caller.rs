//! Who makes a staff request, and what they may do: [`StaffCaller`], made
//! by staff authentication (a console session or an API token) and asked by
//! every staff use case (`require`). A leaf: it knows the installation's
//! settings as a value, not how they are loaded.

use gatehouse_domain::{InstallationSettings, Permission, Scope, StaffRole};
use gatehouse_store::{Actor, StaffUser};

use crate::{AppError, AppResult};

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A console session (the hash of its token).
    Session(Vec<u8>, String),
    /// An API token with these scopes.
    Token(Vec<Scope>),
}

/// A staff user making a request.
#[derive(Debug, Clone)]
pub struct StaffCaller {
    /// Who.
    pub staff: StaffUser,
    /// How.
    pub via: Via,
    /// The installation's settings when the request came.
    pub settings: InstallationSettings,
    /// The client address of the request, for the audit trail.
    pub ip: Option<String>,
}

impl StaffCaller {
    /// The caller as the audit trail names them.
    pub fn actor(&self) -> Actor {
        let kind = match self.via {
            Via::Session(..) => "staff",
            Via::Token(_) => "api",
        };
        Actor {
            kind: kind.into(),
            id: Some(self.staff.id),
            label: self.staff.email.clone(),
            ip: self.ip.clone(),
        }
    }

    /// The CSRF token of the console session's forms (none for tokens).
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.via {
            Via::Session(_, csrf) => Some(csrf),
            Via::Token(_) => None,
        }
    }

    /// Whether the role may do this, with what the installation grants.
    fn role_allows(&self, permission: Permission) -> bool {
        self.staff.role.allows(permission)
            || (permission == Permission::Impersonate
                && self.staff.role == StaffRole::Support
                && self.settings.support_may_impersonate)
    }

    /// Whether the caller may do this.
    pub fn may(&self, permission: Permission) -> bool {
        let scoped = match &self.via {
            Via::Session(..) => true,
            Via::Token(scopes) => scopes.contains(&permission.scope()),
        };
        scoped && self.staff.active && self.role_allows(permission)
    }

    /// A console user who must enrol a second factor before anything else.
    pub fn must_enrol_totp(&self) -> bool {
        matches!(self.via, Via::Session(..))
            && self.staff.role == StaffRole::Admin
            && self.settings.require_admin_totp
            && self.staff.totp_secret.is_none()
    }

    /// Refuses unless the caller may do this: the role, and for a token its
    /// scope, must allow it.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if self.may(permission) {
            return Ok(());
        }
        let message = if self.role_allows(permission) {
            format!(
                "this API token lacks the '{}' scope",
                permission.scope().as_str()
            )
        } else {
            format!("a {} may not do this", self.staff.role)
        };
        Err(AppError::Forbidden {
            code: "forbidden",
            message,
        })
    }
}
