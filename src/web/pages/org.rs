//! Pages: the org tree (`/org`) and one unit (`/org/{code}`), and the unit
//! selects other pages share.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::{
    Chrome, Opt, crumbs_from_home, redirect_with_notice, render, render_status, storage_failure,
    take_notice,
};
use crate::domain::access::{Actor, Reach};
use crate::domain::org::OrgTree;
use crate::storage::org::{self as store, NewUnit, PeopleFilter, PersonView, UnitPatch, UnitView};
use crate::storage::{self, Db};
use crate::web::AppState;
use crate::web::auth::{Authenticated, Lang, PageUser};
use crate::web::i18n::{Locale, T};

/// `/org`, `/org/{code}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org", get(tree_page).post(create_unit))
        .route("/org/{code}", get(unit_page).post(update_unit))
}

/// The whole org tree, for reach decisions by unit code.
pub(super) async fn tree_of(db: &Db) -> storage::Result<OrgTree> {
    Ok(store::load_tree(db).await?.0)
}

/// Does `reach` cover the unit with this code?
pub(super) fn covers_code(tree: &OrgTree, reach: Reach, code: &str) -> bool {
    tree.by_code(code)
        .is_some_and(|u| reach.covers(tree, u.id, None))
}

/// How a unit is offered in a select: indented by its depth (with
/// ideographic spaces, which browsers keep), then name and code.
pub(super) fn unit_label(u: &UnitView, depth: usize) -> String {
    format!("{}{} · {}", "\u{3000}".repeat(depth), u.name, u.code)
}

/// Active units, from `units` (tree order), where `reach` allows the action.
pub(super) fn unit_options(units: &[UnitView], tree: &OrgTree, reach: Reach) -> Vec<Opt> {
    let depth = depths(units);
    units
        .iter()
        .filter(|u| u.active && covers_code(tree, reach, &u.code))
        .map(|u| {
            Opt::new(
                &u.code,
                unit_label(u, depth.get(&u.code).copied().unwrap_or(0)),
            )
        })
        .collect()
}

/// Every unit in `units` (tree order), inactive ones marked, for filters.
pub(super) fn all_unit_options(units: &[UnitView], t: T) -> Vec<Opt> {
    let depth = depths(units);
    units
        .iter()
        .map(|u| {
            let mut label = unit_label(u, depth.get(&u.code).copied().unwrap_or(0));
            if !u.active {
                label = format!("{label}（{}）", t.t("common.inactive"));
            }
            Opt::new(&u.code, label)
        })
        .collect()
}

/// Depth of each unit in `units` (tree order), counted from the topmost unit
/// the actor sees.
fn depths(units: &[UnitView]) -> HashMap<String, usize> {
    let mut depth: HashMap<String, usize> = HashMap::new();
    for u in units {
        let d = u
            .parent
            .as_ref()
            .and_then(|p| depth.get(p))
            .map_or(0, |d| d + 1);
        depth.insert(u.code.clone(), d);
    }
    depth
}

/// The people counts are shown only to those who see whole units of people.
fn sees_unit_people(actor: &Actor) -> bool {
    !matches!(actor.people_read(), Reach::Own(_) | Reach::Nothing)
}

// ---------------------------------------------------------------- /org

/// One line of the tree.
struct TreeRow {
    unit: UnitView,
    depth: usize,
    /// Active people in the unit itself.
    direct: usize,
    /// Active people in the unit and below it.
    total: usize,
}

/// The deepest indentation the style sheet has a `depth-N` class for;
/// deeper units are indented as much as this.
const MAX_INDENT: usize = 12;

impl TreeRow {
    /// The indentation level, as the `depth-N` class of the tree cell (an
    /// inline `style` would be refused by the Content-Security-Policy).
    fn indent(&self) -> usize {
        self.depth.min(MAX_INDENT)
    }
}

/// What the "add unit" form holds.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct NewUnitForm {
    code: String,
    name: String,
    /// Empty for a top-level unit.
    parent: String,
    /// The unit page the form was sent from, to return to on an error.
    from: String,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    c: Chrome,
    rows: Vec<TreeRow>,
    show_counts: bool,
    total_people: usize,
    can_add: bool,
    may_add_root: bool,
    parent_options: Vec<Opt>,
    form: NewUnitForm,
}

async fn org_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    form: NewUnitForm,
) -> Result<OrgPage, storage::Error> {
    let t = T(locale);
    let actor = a.actor();
    let mut c = Chrome::new(state, a, locale, "org", t.t("unit.tree")).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("nav.org").into(), String::new()));
    let units = store::list_units(&state.db, actor).await?;
    let tree = tree_of(&state.db).await?;
    let show_counts = sees_unit_people(actor);
    let people = if show_counts {
        store::list_people(&state.db, actor, &PeopleFilter::default()).await?
    } else {
        Vec::new()
    };
    let parents: HashMap<&str, Option<&str>> = units
        .iter()
        .map(|u| (u.code.as_str(), u.parent.as_deref()))
        .collect();
    let mut direct: HashMap<&str, usize> = HashMap::new();
    let mut total: HashMap<&str, usize> = HashMap::new();
    for p in &people {
        *direct.entry(p.unit.as_str()).or_default() += 1;
        let mut cur = Some(p.unit.as_str());
        let mut hops = 0;
        while let Some(code) = cur {
            *total.entry(code).or_default() += 1;
            hops += 1;
            if hops > units.len() {
                break;
            }
            cur = parents.get(code).copied().flatten();
        }
    }
    let depth = depths(&units);
    let rows = units
        .iter()
        .map(|u| TreeRow {
            depth: depth.get(&u.code).copied().unwrap_or(0),
            direct: direct.get(u.code.as_str()).copied().unwrap_or(0),
            total: total.get(u.code.as_str()).copied().unwrap_or(0),
            unit: u.clone(),
        })
        .collect();
    let add_reach = actor.units_add_under();
    let parent_options = unit_options(&units, &tree, add_reach);
    let may_add_root = actor.may_add_root_unit();
    Ok(OrgPage {
        c,
        rows,
        show_counts,
        total_people: people.len(),
        can_add: may_add_root || !parent_options.is_empty(),
        may_add_root,
        parent_options,
        form,
    })
}

async fn tree_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
) -> Response {
    let (jar, notice) = take_notice(jar, T(locale));
    match org_page(&state, &a, locale, NewUnitForm::default()).await {
        Ok(mut page) => {
            page.c.notice = notice;
            // A fresh form proposes the first unit as parent, never the top
            // level by accident.
            if let Some(first) = page.parent_options.first() {
                page.form.parent = first.value.clone();
            }
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// `POST /org`: adds a unit, then shows it.
async fn create_unit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    jar: CookieJar,
    Form(form): Form<NewUnitForm>,
) -> Response {
    let new = NewUnit {
        code: form.code.trim().to_owned(),
        name: form.name.clone(),
        parent: Some(form.parent.trim())
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
    };
    match store::create_unit(&state.db, a.actor(), &new).await {
        Ok(u) => redirect_with_notice(jar, &format!("/org/{}", u.code), "unit.created"),
        Err(storage::Error::Invalid(errors)) => {
            let e = storage::Error::Invalid(errors);
            if form.from.is_empty() {
                match org_page(&state, &a, locale, form).await {
                    Ok(mut page) => {
                        page.c.add_error(&e);
                        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
                    }
                    Err(e) => storage_failure(&state, &a, locale, e).await,
                }
            } else {
                let from = form.from.clone();
                let values = UnitFormInput {
                    child_code: form.code,
                    child_name: form.name,
                    ..Default::default()
                };
                match unit_view_page(&state, &a, locale, &from, values).await {
                    Ok(mut page) => {
                        page.c.add_error(&e);
                        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
                    }
                    Err(e) => storage_failure(&state, &a, locale, e).await,
                }
            }
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

// ---------------------------------------------------------------- /org/{code}

/// Typed values of the unit page's forms, kept when one is sent back;
/// `None` shows the unit's current value.
#[derive(Debug, Default, Clone)]
struct UnitFormInput {
    name: Option<String>,
    parent: Option<String>,
    head: Option<String>,
    child_code: String,
    child_name: String,
}

/// What the unit page's forms show.
#[derive(Debug, Default, Clone)]
struct UnitFormValues {
    name: String,
    parent: String,
    head: String,
    child_code: String,
    child_name: String,
}

#[derive(Template)]
#[template(path = "org_unit.html")]
struct UnitPage {
    c: Chrome,
    unit: UnitView,
    /// The parent, when the visitor may see it: (code, name).
    parent: Option<(String, String)>,
    children: Vec<UnitView>,
    /// Active people of the unit itself.
    people: Vec<PersonView>,
    /// Active people of the unit and below it.
    total_people: usize,
    show_people: bool,
    can_write: bool,
    can_add: bool,
    can_add_people: bool,
    may_move_to_top: bool,
    move_options: Vec<Opt>,
    head_options: Vec<Opt>,
    form: UnitFormValues,
}

async fn unit_view_page(
    state: &AppState,
    a: &Authenticated,
    locale: Locale,
    code: &str,
    input: UnitFormInput,
) -> Result<UnitPage, storage::Error> {
    let t = T(locale);
    let actor = a.actor();
    let units = store::list_units(&state.db, actor).await?;
    let unit = units
        .iter()
        .find(|u| u.code == code)
        .cloned()
        .ok_or(storage::Error::NotFound)?;
    let tree = tree_of(&state.db).await?;
    let node = tree.by_code(code).ok_or(storage::Error::NotFound)?;
    let read = actor.units_read();
    let mut c = Chrome::new(state, a, locale, "org", unit.name.clone()).await;
    crumbs_from_home(&mut c);
    c.crumbs.push((t.t("nav.org").into(), "/org".into()));
    // Units above the visitor's reach are left out, as if they did not exist.
    for u in tree.path(node.id) {
        if u.id == node.id {
            c.crumbs.push((u.name.clone(), String::new()));
        } else if read.covers(&tree, u.id, None) {
            c.crumbs.push((u.name.clone(), format!("/org/{}", u.code)));
        }
    }
    let parent = unit
        .parent
        .as_deref()
        .and_then(|p| units.iter().find(|u| u.code == p))
        .map(|p| (p.code.clone(), p.name.clone()));
    let children: Vec<UnitView> = units
        .iter()
        .filter(|u| u.parent.as_deref() == Some(code))
        .cloned()
        .collect();
    let show_people = sees_unit_people(actor);
    let subtree_people = store::list_people(
        &state.db,
        actor,
        &PeopleFilter {
            unit: Some(code.to_owned()),
            ..Default::default()
        },
    )
    .await?;
    let can_write = actor.units_write().covers(&tree, node.id, None);
    let can_add = unit.active && actor.units_add_under().covers(&tree, node.id, None);
    let can_add_people = unit.active && actor.people_write().covers(&tree, node.id, None);
    // A unit cannot go below itself: its own subtree is not offered.
    let own_subtree = tree.subtree(node.id);
    let depth = depths(&units);
    let move_options = units
        .iter()
        .filter(|u| u.active)
        .filter(|u| {
            tree.by_code(&u.code).is_some_and(|n| {
                !own_subtree.contains(&n.id) && actor.units_add_under().covers(&tree, n.id, None)
            })
        })
        .map(|u| {
            Opt::new(
                &u.code,
                unit_label(u, depth.get(&u.code).copied().unwrap_or(0)),
            )
        })
        .collect();
    let head_options = subtree_people
        .iter()
        .map(|p| {
            Opt::new(
                &p.employee_no,
                format!("{} · {} · {}", p.name, p.employee_no, p.unit_name),
            )
        })
        .collect();
    let form = UnitFormValues {
        name: input.name.unwrap_or_else(|| unit.name.clone()),
        parent: input
            .parent
            .unwrap_or_else(|| unit.parent.clone().unwrap_or_default()),
        head: input
            .head
            .unwrap_or_else(|| unit.head.clone().unwrap_or_default()),
        child_code: input.child_code,
        child_name: input.child_name,
    };
    let total_people = subtree_people.len();
    let people = subtree_people
        .into_iter()
        .filter(|p| p.unit == code)
        .collect();
    Ok(UnitPage {
        c,
        parent,
        children,
        people,
        total_people,
        show_people,
        can_write,
        can_add,
        can_add_people,
        may_move_to_top: actor.may_add_root_unit(),
        move_options,
        head_options,
        form,
        unit,
    })
}

async fn unit_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(code): Path<String>,
    jar: CookieJar,
) -> Response {
    let (jar, notice) = take_notice(jar, T(locale));
    match unit_view_page(&state, &a, locale, &code, UnitFormInput::default()).await {
        Ok(mut page) => {
            page.c.notice = notice;
            (jar, render(&page)).into_response()
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

/// The forms of the unit page. `action` names the form; without it, every
/// field present is applied.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UnitForm {
    action: String,
    name: Option<String>,
    /// Empty moves the unit to the top level.
    parent: Option<String>,
    /// Empty clears the head.
    head: Option<String>,
}

/// Empty text is "none".
fn none_if_empty(v: &str) -> Option<String> {
    Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_owned)
}

impl UnitForm {
    fn patch(&self) -> UnitPatch {
        let name = || Some(self.name.clone().unwrap_or_default());
        let parent = || Some(none_if_empty(self.parent.as_deref().unwrap_or_default()));
        let head = || Some(none_if_empty(self.head.as_deref().unwrap_or_default()));
        match self.action.as_str() {
            "rename" => UnitPatch {
                name: name(),
                ..Default::default()
            },
            "move" => UnitPatch {
                parent: parent(),
                ..Default::default()
            },
            "head" => UnitPatch {
                head: head(),
                ..Default::default()
            },
            "deactivate" => UnitPatch {
                active: Some(false),
                ..Default::default()
            },
            "activate" => UnitPatch {
                active: Some(true),
                ..Default::default()
            },
            _ => UnitPatch {
                name: self.name.as_ref().and(name()),
                parent: self.parent.as_ref().and(parent()),
                head: self.head.as_ref().and(head()),
                active: None,
            },
        }
    }
}

/// `POST /org/{code}`: rename, move, set the head, (de)activate.
async fn update_unit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageUser(a): PageUser,
    Path(code): Path<String>,
    jar: CookieJar,
    Form(form): Form<UnitForm>,
) -> Response {
    let patch = form.patch();
    match store::update_unit(&state.db, a.actor(), &code, &patch).await {
        Ok(u) => redirect_with_notice(jar, &format!("/org/{}", u.code), "common.saved"),
        Err(storage::Error::Invalid(errors)) => {
            let e = storage::Error::Invalid(errors);
            let values = UnitFormInput {
                name: form.name,
                parent: form.parent,
                head: form.head,
                ..Default::default()
            };
            match unit_view_page(&state, &a, locale, &code, values).await {
                Ok(mut page) => {
                    page.c.add_error(&e);
                    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
                }
                Err(e) => storage_failure(&state, &a, locale, e).await,
            }
        }
        Err(e) => storage_failure(&state, &a, locale, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, parent: Option<&str>) -> UnitView {
        UnitView {
            code: code.into(),
            name: code.into(),
            parent: parent.map(Into::into),
            head: None,
            head_name: None,
            active: true,
        }
    }

    #[test]
    fn depth_counts_from_the_topmost_visible_unit() {
        let units = [
            unit("HD", Some("HQ")),
            unit("HD1", Some("HD")),
            unit("HD2", Some("HD")),
        ];
        let d = depths(&units);
        assert_eq!(d["HD"], 0);
        assert_eq!(d["HD1"], 1);
    }

    #[test]
    fn a_named_action_changes_only_its_field() {
        let f = UnitForm {
            action: "move".into(),
            name: Some("x".into()),
            parent: Some("".into()),
            head: None,
        };
        let p = f.patch();
        assert!(p.name.is_none());
        assert_eq!(p.parent, Some(None));
        let f = UnitForm {
            action: "head".into(),
            head: Some("E0002".into()),
            ..Default::default()
        };
        assert_eq!(f.patch().head, Some(Some("E0002".into())));
    }

    #[test]
    fn without_action_the_fields_sent_apply() {
        let f = UnitForm {
            name: Some("华东".into()),
            ..Default::default()
        };
        let p = f.patch();
        assert_eq!(p.name.as_deref(), Some("华东"));
        assert!(p.parent.is_none() && p.head.is_none() && p.active.is_none());
    }
}
