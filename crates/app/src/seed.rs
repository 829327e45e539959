//! Synthetic customers and accounts for demos and benchmarks: realistic names,
//! companies, countries and cities, and accounts in every status, written in
//! large batches. Deterministic for a given count, so benchmarks compare.

use gatehouse_domain::{AccountRole, AccountState, DeleteReason, Lock, Stage};
use gatehouse_store::{Account, Customer, CustomerFields};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::Duration;
use uuid::Uuid;

use crate::sites;
use crate::{App, AppResult};

const FIRST: [&str; 24] = [
    "Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Dennis", "Frances", "Ken", "Radia",
    "Tim", "Hedy", "Klaus", "Jürgen", "Émile", "Zoë", "Sofia", "Mateo", "Aiko", "Lars", "Ingrid",
    "Omar", "Priya", "Chen",
];
const LAST: [&str; 24] = [
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Turing",
    "Liskov",
    "Ritchie",
    "Allen",
    "Thompson",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Wirth",
    "Schmidt",
    "Müller",
    "O'Brien",
    "García",
    "Rossi",
    "Tanaka",
    "Nilsson",
    "Andersen",
    "Haddad",
    "Sharma",
    "Wang",
];
const COMPANY: [&str; 12] = [
    "Engines Ltd",
    "Harbour Logistics",
    "Nordic Storage AG",
    "Acme Self Storage",
    "Bluefield Services",
    "Kessler & Söhne",
    "Riverside Installers",
    "Summit Facilities",
    "Orbit Parcel",
    "Lindqvist AB",
    "Atlas Depot",
    "Meridian",
];
const PLACES: [(&str, &str); 10] = [
    ("DE", "Berlin"),
    ("DE", "München"),
    ("GB", "London"),
    ("US", "Boston"),
    ("US", "Austin"),
    ("FR", "Lyon"),
    ("SE", "Malmö"),
    ("NL", "Utrecht"),
    ("ES", "Valencia"),
    ("JP", "Osaka"),
];

/// Syllables of the invented names and companies that make up the long tail
/// (real customer lists have a few common names and very many rare ones).
const SYLLABLES: [&str; 32] = [
    "ka", "lo", "mi", "ren", "sa", "tor", "vel", "an", "bri", "dan", "el", "fen", "gar", "hol",
    "is", "jen", "kor", "lin", "mar", "nor", "os", "pel", "quin", "ros", "sel", "tan", "ul", "var",
    "wen", "yor", "zan", "bel",
];
const SUFFIX: [&str; 6] = ["GmbH", "Ltd", "AB", "SARL", "Inc", "BV"];

/// An invented name of `parts` syllables, capitalised.
fn invented(rng: &mut StdRng, parts: usize) -> String {
    let mut name: String = (0..parts)
        .map(|_| SYLLABLES[rng.random_range(0..SYLLABLES.len())])
        .collect();
    if let Some(first) = name.get(..1) {
        name = first.to_uppercase() + &name[1..];
    }
    name
}

/// The companies customers are seeded into: the well-known ones first, then
/// one invented company per 200 customers (at most 5000), made as records
/// unless a company with the name exists.
async fn company_pool(
    app: &App,
    rng: &mut StdRng,
    count: usize,
    now: time::OffsetDateTime,
) -> AppResult<Vec<(Uuid, String)>> {
    let mut names: Vec<String> = COMPANY.iter().map(|c| c.to_string()).collect();
    for _ in 0..(count / 200).clamp(1, 5000) {
        names.push(format!(
            "{} {}",
            invented(rng, 2),
            SUFFIX[rng.random_range(0..SUFFIX.len())]
        ));
    }
    let mut pool = Vec::with_capacity(names.len());
    let mut keys = std::collections::HashSet::new();
    let mut tx = app.store.begin().await?;
    for name in names {
        let key = gatehouse_domain::company_key(&name);
        if !keys.insert(key.clone()) {
            continue;
        }
        let company = match tx.company_by_key(&key).await? {
            Some(company) => company,
            None => {
                let company = gatehouse_store::Company::named(name, now);
                tx.insert_company(&company).await?;
                company
            }
        };
        pool.push((company.id, company.name));
    }
    tx.commit().await?;
    Ok(pool)
}

/// Rows written per transaction.
const BATCH: usize = 5000;

/// Writes `count` customers, about two thirds of them with an account on the
/// site in one of every status; calls `progress` with the number written so
/// far after each batch.
#[tracing::instrument(name = "app.seed.seed", level = "debug", skip_all)]
pub async fn seed(
    app: &App,
    site_key: &str,
    count: usize,
    mut progress: impl FnMut(usize),
) -> AppResult<()> {
    let mut tx = app.store.read().await?;
    let site = sites::load(tx.as_mut(), site_key).await?;
    drop(tx);
    let mut rng = StdRng::seed_from_u64(count as u64);
    let now = app.clock.now();
    let companies = company_pool(app, &mut rng, count, now).await?;
    let mut written = 0;
    while written < count {
        let n = BATCH.min(count - written);
        let mut customers = Vec::with_capacity(n);
        let mut accounts = Vec::new();
        for i in written..written + n {
            // A quarter of the last names and half of the first names are
            // common ones (about 1 % and 2 % of all customers each); the rest
            // are rare, as in a real customer list.
            let first = if rng.random_bool(0.5) {
                FIRST[rng.random_range(0..FIRST.len())].to_string()
            } else {
                invented(&mut rng, 2)
            };
            let last = if rng.random_bool(0.25) {
                LAST[rng.random_range(0..LAST.len())].to_string()
            } else {
                invented(&mut rng, 3)
            };
            let (first, last) = (first.as_str(), last.as_str());
            let (country, city) = PLACES[rng.random_range(0..PLACES.len())];
            let email = format!("{}.{}.{i}@example.com", ascii(first), ascii(last));
            let created = now - Duration::minutes(rng.random_range(0..60 * 24 * 365));
            // Three in ten work at a well-known company, four at one of
            // the invented ones, the rest at none.
            let named = COMPANY.len().min(companies.len());
            let company = match rng.random_range(0..10) {
                0..=2 if named > 0 => Some(&companies[rng.random_range(0..named)]),
                3..=6 if companies.len() > named => {
                    Some(&companies[rng.random_range(named..companies.len())])
                }
                _ => None,
            };
            let customer = Customer {
                id: Uuid::now_v7(),
                fields: CustomerFields {
                    first_name: first.into(),
                    last_name: last.into(),
                    email: Some(email.clone()),
                    company: company.map(|c| c.1.clone()),
                    company_id: company.map(|c| c.0),
                    phone: Some(format!(
                        "+{} {:09}",
                        rng.random_range(1..99),
                        rng.random_range(0..999_999_999)
                    )),
                    country: Some(country.into()),
                    city: Some(city.into()),
                    street: Some(format!("{} Street {}", last, rng.random_range(1..300))),
                    postcode: Some(format!("{:05}", rng.random_range(1000..99999))),
                    notifications: rng.random_bool(0.8),
                    ..CustomerFields::default()
                },
                created_at: created,
                updated_at: created,
            };
            if rng.random_bool(0.66) {
                let roll = rng.random_range(0..100);
                let base = AccountState::created_by_staff(false);
                let state = match roll {
                    0..=59 => AccountState {
                        email_validated: true,
                        ..base
                    },
                    60..=69 => AccountState {
                        stage: Stage::Unverified,
                        ..base
                    },
                    70..=79 => AccountState {
                        stage: Stage::Pending,
                        email_validated: true,
                        ..base
                    },
                    80..=84 => AccountState {
                        lock: Some(Lock::Permanent),
                        failed_attempts: 5,
                        ..base
                    },
                    85..=89 => AccountState {
                        blocked: true,
                        ..base
                    },
                    _ => AccountState {
                        deleted: Some(DeleteReason::Deleted),
                        ..base
                    },
                };
                let deleted_at = state.deleted.map(|_| created + Duration::days(1));
                accounts.push(Account {
                    id: Uuid::now_v7(),
                    site_id: site.id,
                    customer_id: Some(customer.id),
                    login_id: email.to_lowercase(),
                    email,
                    password_hash: None,
                    role: if rng.random_bool(0.1) {
                        AccountRole::CustomerManager
                    } else {
                        AccountRole::Customer
                    },
                    state,
                    deleted_at,
                    first_name: first.into(),
                    last_name: last.into(),
                    company: customer.fields.company.clone(),
                    language: None,
                    registered_at: created,
                    verified_at: None,
                    approved_at: None,
                    last_login_at: None,
                    version: 1,
                });
            }
            customers.push(customer);
        }
        let mut tx = app.store.begin().await?;
        tx.insert_customers(&customers).await?;
        tx.insert_accounts(&accounts).await?;
        tx.commit().await?;
        written += n;
        progress(written);
    }
    app.store.analyze().await?;
    Ok(())
}

/// A name as it may stand in an e-mail address.
fn ascii(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            'é' | 'É' => 'e',
            'ë' => 'e',
            'í' => 'i',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => 'x',
        })
        .collect()
}
