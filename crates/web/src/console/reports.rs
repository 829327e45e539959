//! What staff read about the portal: the dashboard (`/admin`: counts per
//! status per site and a chart of registrations per day, drawn on the
//! server), the registrations report of a site, and the audit log (each
//! event's target named as it is called now, a change as a table of fields
//! before and after).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use gatehouse_app::reports;
use gatehouse_domain::Permission;
use minijinja::{Value, context};
use serde::Deserialize;

use super::{OnPage, PageResult, page, site_keys};
use crate::api::audit::AuditQuery;
use crate::extract::{ConsoleCaller, ConsoleQuery};
use crate::pages;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard))
        .route("/admin/reports/registrations", get(report_page))
        .route("/admin/audit", get(audit_page))
}

#[derive(Debug, Default, Deserialize)]
struct SiteQuery {
    site: Option<String>,
}

async fn dashboard(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsoleQuery(q): ConsoleQuery<SiteQuery>,
) -> PageResult {
    let site = q.site.as_deref().filter(|s| !s.is_empty());
    // Staff without the right to see customers still get the console's
    // front page, without the figures.
    if !caller.may(Permission::ViewCustomers) {
        return Ok(page(
            &caller,
            StatusCode::OK,
            "console/home.html",
            context! { error => None::<String>, flash => None::<String>, dashboard => None::<String> },
        ));
    }
    let d = reports::dashboard(&state.app, &caller, site)
        .await
        .on_page(&caller)?;
    let statuses: Vec<&str> = gatehouse_domain::Status::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    let total: i64 = d.per_day.iter().map(|p| p.count).sum();
    Ok(page(
        &caller,
        StatusCode::OK,
        "console/home.html",
        context! {
            error => None::<String>, flash => None::<String>,
            dashboard => context! {
                sites => pages::ser(&d.sites), statuses, site, days => reports::CHART_DAYS, total,
                chart => Value::from_safe_string(registrations_svg(&d.per_day)),
            },
        },
    ))
}

/// A bar chart of registrations per day, drawn on the server: one bar per
/// day (a `<title>` on each gives the day and count), the highest count and
/// the first, middle and last dates as labels. Only numbers, dates and the
/// title (from the catalogue, escaped) go in.
fn registrations_svg(days: &[reports::DayCount]) -> String {
    const W: f64 = 720.0;
    const H: f64 = 180.0;
    const LEFT: f64 = 40.0;
    const BOTTOM: f64 = 20.0;
    let max = days.iter().map(|d| d.count).max().unwrap_or(0).max(1);
    let n = days.len().max(1) as f64;
    let step = (W - LEFT) / n;
    let plot = H - BOTTOM - 10.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {W} {H}\" \
         width=\"{W}\" height=\"{H}\" role=\"img\" aria-labelledby=\"chart-title\">\
         <title id=\"chart-title\">{}</title>\
         <line x1=\"{LEFT}\" y1=\"{y0}\" x2=\"{W}\" y2=\"{y0}\" stroke=\"#888\"/>\
         <text x=\"{lx}\" y=\"18\" text-anchor=\"end\" font-size=\"11\">{max}</text>\
         <text x=\"{lx}\" y=\"{y0}\" text-anchor=\"end\" font-size=\"11\">0</text>",
        super::word_with(
            "c-chart-title",
            &[
                (
                    "from",
                    days.first().map_or("", |d| d.day.as_str()).to_string()
                ),
                ("to", days.last().map_or("", |d| d.day.as_str()).to_string()),
            ],
        )
        .replace('&', "&amp;")
        .replace('<', "&lt;"),
        y0 = H - BOTTOM,
        lx = LEFT - 4.0,
    );
    for (i, d) in days.iter().enumerate() {
        let h = plot * d.count as f64 / max as f64;
        out.push_str(&format!(
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#3566a8\">\
             <title>{}: {}</title></rect>",
            LEFT + step * i as f64 + 0.5,
            H - BOTTOM - h,
            (step - 1.0).max(1.0),
            h,
            d.day,
            d.count
        ));
    }
    for i in [0, days.len() / 2, days.len().saturating_sub(1)] {
        if let Some(d) = days.get(i) {
            let anchor = if i == 0 {
                "start"
            } else if i + 1 == days.len() {
                "end"
            } else {
                "middle"
            };
            out.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{H}\" text-anchor=\"{anchor}\" font-size=\"11\">{}</text>",
                LEFT + step * (i as f64 + 0.5),
                d.day
            ));
        }
    }
    out.push_str("</svg>");
    out
}

async fn report_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsoleQuery(q): ConsoleQuery<SiteQuery>,
) -> PageResult {
    let site = q
        .site
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "main".into());
    let rows = reports::registrations(&state.app, &caller, &site, 10_000)
        .await
        .on_page(&caller)?;
    Ok(page(
        &caller,
        StatusCode::OK,
        "console/report.html",
        context! {
            rows => pages::ser(&rows), site, sites => site_keys(&state).await,
            flash => None::<String>, error => None::<String>,
        },
    ))
}

async fn audit_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsoleQuery(q): ConsoleQuery<AuditQuery>,
) -> PageResult {
    let filter = q.filter();
    let items = gatehouse_app::audit::list(&state.app, &caller, &filter, 500)
        .await
        .on_page(&caller)?;
    let names = gatehouse_app::audit::target_names(&state.app, &caller, &items)
        .await
        .on_page(&caller)?;
    Ok(page(
        &caller,
        StatusCode::OK,
        "console/audit.html",
        context! {
            items => audit_rows(&items.iter().cloned().map(Into::into).collect::<Vec<_>>()), names => pages::ser(names), flash => None::<String>, error => None::<String>,
            action => filter.action.unwrap_or_default(), actor => filter.actor.unwrap_or_default(),
        },
    ))
}

/// Audit events as the console shows them: each with its details split into
/// the fields a change touched (before and after) and the other facts.
pub(crate) fn audit_rows(events: &[gatehouse_app::wire::AuditEvent]) -> Vec<minijinja::Value> {
    events
        .iter()
        .map(|e| {
            let (changes, facts) = details_view(&e.details);
            context! { changes, facts, ..pages::ser(e) }
        })
        .collect()
}

/// A detail value as text: a string as it is, nothing as a dash, anything
/// else as compact JSON.
fn shown(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => "–".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// `{before: {…}, after: {…}, …}` as rows (field, before, after), and every
/// other key as (key, value).
fn details_view(details: &serde_json::Value) -> (Vec<[String; 3]>, Vec<[String; 2]>) {
    let Some(map) = details.as_object() else {
        return (Vec::new(), vec![["".into(), shown(Some(details))]]);
    };
    let before = map.get("before").and_then(|v| v.as_object());
    let after = map.get("after").and_then(|v| v.as_object());
    let mut changes = Vec::new();
    if let (Some(before), Some(after)) = (before, after) {
        let mut fields: Vec<&String> = after.keys().chain(before.keys()).collect();
        fields.sort_unstable();
        fields.dedup();
        changes = fields
            .into_iter()
            .map(|f| [f.clone(), shown(before.get(f)), shown(after.get(f))])
            .collect();
    }
    let facts = map
        .iter()
        .filter(|(k, _)| changes.is_empty() || (k.as_str() != "before" && k.as_str() != "after"))
        .map(|(k, v)| [k.clone(), shown(Some(v))])
        .collect();
    (changes, facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_a_table_and_the_rest_are_facts() {
        let (changes, facts) = details_view(&serde_json::json!({
            "before": {"first_name": "Ada", "city": null},
            "after": {"first_name": "Ada <b>", "city": "Bonn"},
            "reason": "asked by phone",
        }));
        assert_eq!(
            changes,
            [
                ["city".to_string(), "–".into(), "Bonn".into()],
                ["first_name".to_string(), "Ada".into(), "Ada <b>".into()],
            ]
        );
        assert_eq!(facts, [["reason".to_string(), "asked by phone".into()]]);
        let (changes, facts) = details_view(&serde_json::json!({"key": "shop", "ids": [1, 2]}));
        assert!(changes.is_empty());
        assert_eq!(
            facts,
            [
                ["ids".to_string(), "[1,2]".into()],
                ["key".to_string(), "shop".into()]
            ]
        );
    }
}
