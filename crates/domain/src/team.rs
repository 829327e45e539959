//! What a customer manager may do with the people of their company on their
//! site (the team): one pure decision per question, walked row by row by
//! its tests. The manager is the signed-in account; a colleague is another
//! account, described by how it stands to the manager.

use crate::{AccountRole, Status};

/// Why a team call is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamRefusal {
    /// The caller is not a customer manager.
    NotAManager,
    /// The manager's customer record belongs to no company: there is no
    /// team to look after.
    NoCompany,
    /// The account is not in the manager's team (another site, another
    /// company, deleted, or no such account): answered as not found, so
    /// nothing outside the team can be told apart from nothing at all.
    NotInTeam,
    /// The manager's own account: switched or resent by staff only.
    Yourself,
    /// Another customer manager: only staff change a manager.
    AnotherManager,
}

impl TeamRefusal {
    /// The stable code of the refusal.
    pub fn code(self) -> &'static str {
        match self {
            TeamRefusal::NotAManager => "not_a_manager",
            TeamRefusal::NoCompany => "no_company",
            TeamRefusal::NotInTeam => "not_found",
            TeamRefusal::Yourself => "yourself",
            TeamRefusal::AnotherManager => "another_manager",
        }
    }

    /// What a person is told (English; pages say it by [`Self::code`]).
    pub fn message(self) -> &'static str {
        match self {
            TeamRefusal::NotAManager => "only a customer manager looks after a team",
            TeamRefusal::NoCompany => {
                "your account belongs to no company yet; ask the business to add it to yours"
            }
            TeamRefusal::NotInTeam => "there is no such account in your team",
            TeamRefusal::Yourself => "you cannot change your own account here",
            TeamRefusal::AnotherManager => {
                "another customer manager's account is changed by the business's staff"
            }
        }
    }
}

/// The signed-in account asking, as the team rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Manager {
    /// Its role on the site.
    pub role: AccountRole,
    /// Whether its customer record belongs to a company.
    pub has_company: bool,
}

/// Another account, as it stands to the manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colleague {
    /// On the manager's site, and its customer in the manager's company.
    pub same_team: bool,
    /// The manager's own account.
    pub is_self: bool,
    /// Its role.
    pub role: AccountRole,
    /// Its status now.
    pub status: Status,
}

/// Whether the caller has a team at all (to list it, or invite to it).
pub fn team_of(manager: Manager) -> Result<(), TeamRefusal> {
    if manager.role != AccountRole::CustomerManager {
        return Err(TeamRefusal::NotAManager);
    }
    if !manager.has_company {
        return Err(TeamRefusal::NoCompany);
    }
    Ok(())
}

/// Whether the manager may act on a colleague (switch access, resend an
/// invitation or activation).
pub fn may_manage(manager: Manager, colleague: Colleague) -> Result<(), TeamRefusal> {
    team_of(manager)?;
    if !colleague.same_team || colleague.status == Status::Deleted {
        return Err(TeamRefusal::NotInTeam);
    }
    if colleague.is_self {
        return Err(TeamRefusal::Yourself);
    }
    if colleague.role == AccountRole::CustomerManager {
        return Err(TeamRefusal::AnotherManager);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANAGER: Manager = Manager {
        role: AccountRole::CustomerManager,
        has_company: true,
    };

    fn colleague() -> Colleague {
        Colleague {
            same_team: true,
            is_self: false,
            role: AccountRole::Customer,
            status: Status::Active,
        }
    }

    #[test]
    fn only_a_manager_with_a_company_has_a_team() {
        assert_eq!(team_of(MANAGER), Ok(()));
        let plain = Manager {
            role: AccountRole::Customer,
            has_company: true,
        };
        assert_eq!(team_of(plain), Err(TeamRefusal::NotAManager));
        let alone = Manager {
            has_company: false,
            ..MANAGER
        };
        assert_eq!(team_of(alone), Err(TeamRefusal::NoCompany));
        assert_eq!(
            may_manage(plain, colleague()),
            Err(TeamRefusal::NotAManager)
        );
    }

    #[test]
    fn a_manager_acts_on_the_live_plain_accounts_of_the_team_only() {
        // Every status but deleted may be managed (switching a blocked or
        // locked colleague's access is the manager's own business).
        for status in Status::ALL {
            let c = Colleague {
                status,
                ..colleague()
            };
            let want = if status == Status::Deleted {
                Err(TeamRefusal::NotInTeam)
            } else {
                Ok(())
            };
            assert_eq!(may_manage(MANAGER, c), want, "{status:?}");
        }
        let rows = [
            (
                Colleague {
                    same_team: false,
                    ..colleague()
                },
                Err(TeamRefusal::NotInTeam),
            ),
            (
                Colleague {
                    same_team: false,
                    role: AccountRole::CustomerManager,
                    ..colleague()
                },
                Err(TeamRefusal::NotInTeam),
            ),
            (
                Colleague {
                    is_self: true,
                    role: AccountRole::CustomerManager,
                    ..colleague()
                },
                Err(TeamRefusal::Yourself),
            ),
            (
                Colleague {
                    role: AccountRole::CustomerManager,
                    ..colleague()
                },
                Err(TeamRefusal::AnotherManager),
            ),
            (colleague(), Ok(())),
        ];
        for (c, want) in rows {
            assert_eq!(may_manage(MANAGER, c), want, "{c:?}");
        }
    }
}
