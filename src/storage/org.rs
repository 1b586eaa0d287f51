//! Org units and people: reads filtered by the actor's reach, writes checked
//! against it, every change audited in its own transaction.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Set, Statement,
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use super::entity::{person, session, unit, user};
use super::{Db, Error, FieldError, Result, accounts, audit};
use crate::domain::access::{Actor, Reach};
use crate::domain::org::{OrgTree, UnitNode, validate_name, validate_unit_code};
use crate::domain::person::{parse_date, validate_email, validate_employee_no, validate_phone};
use crate::domain::role::Role;

/// Tells "field absent" (`None`) from "field set to null" (`Some(None)`) in
/// a PATCH body.
fn double_option<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Loads the whole tree; it is small and needed for every reach decision.
pub async fn load_tree<C: ConnectionTrait>(conn: &C) -> Result<(OrgTree, Vec<unit::Model>)> {
    let units = unit::Entity::find()
        .order_by_asc(unit::Column::Code)
        .all(conn)
        .await?;
    let tree = OrgTree::new(units.iter().map(|u| UnitNode {
        id: u.id,
        parent: u.parent_id,
        code: u.code.clone(),
        name: u.name.clone(),
        active: u.active,
    }));
    Ok((tree, units))
}

/// Only the tree: five narrow columns, for the many reads that need reach
/// and paths but no unit details (a table request at 1,000 teams, every
/// order written). The units come as one JSON array in one row: the
/// SQLite driver hands each result row over between threads, and a
/// thousand rows cost more than the rest of an order's write.
pub async fn load_org_tree<C: ConnectionTrait>(conn: &C) -> Result<OrgTree> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT CAST(COALESCE(json_agg(json_build_array(id, parent_id, code, name, active)), \
             '[]') AS TEXT) AS units FROM org_unit"
        }
        _ => {
            "SELECT json_group_array(json_array(id, parent_id, code, name, active)) AS units \
             FROM org_unit"
        }
    };
    let row = conn
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("org_unit".into()))?;
    let text: String = row.try_get("", "units")?;
    // `active` is a boolean in PostgreSQL and 0 or 1 in SQLite.
    let rows: Vec<(i64, Option<i64>, String, String, serde_json::Value)> =
        serde_json::from_str(&text)
            .map_err(|e| DbErr::Custom(format!("the org tree did not parse: {e}")))?;
    Ok(OrgTree::new(rows.into_iter().map(
        |(id, parent, code, name, active)| UnitNode {
            id,
            parent,
            code,
            name,
            active: active.as_bool().unwrap_or(active.as_i64() == Some(1)),
        },
    )))
}

// ---------------------------------------------------------------- units

/// An org unit as pages and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct UnitView {
    pub code: String,
    pub name: String,
    /// Code of the parent unit; `null` for the company.
    pub parent: Option<String>,
    /// 工号 of the unit's head.
    pub head: Option<String>,
    pub head_name: Option<String>,
    pub active: bool,
}

/// `POST /api/v1/units`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    /// Parent unit code; `null` makes a top-level unit (admin only).
    pub parent: Option<String>,
}

/// `PATCH /api/v1/units/{code}`: only the fields present change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    pub name: Option<String>,
    /// Moves the unit; `null` makes it top-level.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub parent: Option<Option<String>>,
    /// 工号 of the head; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub head: Option<Option<String>>,
    /// `false` deactivates the unit (it must have no active people or units).
    pub active: Option<bool>,
}

fn unit_view(
    u: &unit::Model,
    by_id: &HashMap<i64, &unit::Model>,
    heads: &HashMap<i64, person::Model>,
) -> UnitView {
    let head = u.head_person_id.and_then(|h| heads.get(&h));
    UnitView {
        code: u.code.clone(),
        name: u.name.clone(),
        parent: u
            .parent_id
            .and_then(|p| by_id.get(&p))
            .map(|p| p.code.clone()),
        head: head.map(|h| h.employee_no.clone()),
        head_name: head.map(|h| h.name.clone()),
        active: u.active,
    }
}

async fn heads_of<C: ConnectionTrait>(
    conn: &C,
    units: &[&unit::Model],
) -> Result<HashMap<i64, person::Model>> {
    let ids: Vec<i64> = units.iter().filter_map(|u| u.head_person_id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// Every unit the actor may see, in tree order.
pub async fn list_units(db: &Db, actor: &Actor) -> Result<Vec<UnitView>> {
    let (tree, units) = load_tree(db).await?;
    let reach = actor.units_read();
    let by_id: HashMap<i64, &unit::Model> = units.iter().map(|u| (u.id, u)).collect();
    let order: Vec<i64> = tree
        .roots()
        .into_iter()
        .flat_map(|r| {
            tree.walk(r)
                .into_iter()
                .map(|(_, u)| u.id)
                .collect::<Vec<_>>()
        })
        .collect();
    let visible: Vec<&unit::Model> = order
        .iter()
        .filter(|id| reach.covers(&tree, **id, None))
        .filter_map(|id| by_id.get(id).copied())
        .collect();
    let heads = heads_of(db, &visible).await?;
    Ok(visible
        .into_iter()
        .map(|u| unit_view(u, &by_id, &heads))
        .collect())
}

/// One unit, or `NotFound` when missing or out of reach.
pub async fn get_unit(db: &Db, actor: &Actor, code: &str) -> Result<UnitView> {
    let (tree, units) = load_tree(db).await?;
    let u = units
        .iter()
        .find(|u| u.code == code)
        .filter(|u| actor.units_read().covers(&tree, u.id, None))
        .ok_or(Error::NotFound)?;
    let by_id: HashMap<i64, &unit::Model> = units.iter().map(|u| (u.id, u)).collect();
    let heads = heads_of(db, &[u]).await?;
    Ok(unit_view(u, &by_id, &heads))
}

/// The id of the unit a `parent` patch names, if it names one.
fn units_after_parent(parent: &Option<Option<String>>, units: &[unit::Model]) -> Option<i64> {
    let code = parent.as_ref()?.as_deref()?;
    units.iter().find(|u| u.code == code.trim()).map(|u| u.id)
}

/// Finds a unit named in input by its code; out-of-reach units are unknown.
fn referenced_unit<'a>(
    units: &'a [unit::Model],
    tree: &OrgTree,
    reach: Reach,
    field: &str,
    code: &str,
) -> Result<&'a unit::Model> {
    units
        .iter()
        .find(|u| u.code == code.trim())
        .filter(|u| reach.covers(tree, u.id, None))
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!("no unit with code \"{}\"", code.trim()),
                format!("没有编码为 \"{}\" 的部门", code.trim()),
            )
        })
}

pub async fn create_unit(db: &Db, actor: &Actor, new: &NewUnit) -> Result<UnitView> {
    let code = validate_unit_code(&new.code).map_err(|e| Error::expected("code", e))?;
    let name = validate_name(&new.name).map_err(|e| Error::expected("name", e))?;
    let txn = super::begin_write(db, super::Lane::Org).await?;
    let (tree, units) = load_tree(&txn).await?;
    let parent = match new.parent.as_deref() {
        Some(p) => {
            let p = referenced_unit(&units, &tree, actor.units_read(), "parent", p)?;
            if !actor.units_add_under().covers(&tree, p.id, None) {
                return Err(Error::Forbidden);
            }
            if !p.active {
                return Err(Error::invalid(
                    "parent",
                    "the parent unit is deactivated",
                    "上级部门已停用",
                ));
            }
            Some(p)
        }
        None if actor.may_add_root_unit() => None,
        None => return Err(Error::Forbidden),
    };
    if units.iter().any(|u| u.code == code) {
        return Err(Error::invalid(
            "code",
            format!("unit code \"{code}\" is already used"),
            format!("部门编码 \"{code}\" 已存在"),
        ));
    }
    let created = insert_unit(&txn, code, name, parent.map(|p| p.id)).await?;
    let view = UnitView {
        code: created.code.clone(),
        name: created.name.clone(),
        parent: parent.map(|p| p.code.clone()),
        head: None,
        head_name: None,
        active: true,
    };
    audit::record(
        &txn,
        Some(actor),
        "create",
        "unit",
        code,
        None,
        Some(json!(view)),
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}

/// Inserts an active unit. Reach and audit are the caller's.
pub async fn insert_unit<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    name: &str,
    parent_id: Option<i64>,
) -> Result<unit::Model> {
    let now = Utc::now();
    Ok(unit::ActiveModel {
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        parent_id: Set(parent_id),
        head_person_id: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub async fn update_unit(
    db: &Db,
    actor: &Actor,
    code: &str,
    patch: &UnitPatch,
) -> Result<UnitView> {
    let txn = super::begin_write(db, super::Lane::Org).await?;
    let (tree, units) = load_tree(&txn).await?;
    let current = units
        .iter()
        .find(|u| u.code == code)
        .filter(|u| actor.units_read().covers(&tree, u.id, None))
        .ok_or(Error::NotFound)?;
    if !actor.units_write().covers(&tree, current.id, None) {
        return Err(Error::Forbidden);
    }
    let by_id: HashMap<i64, &unit::Model> = units.iter().map(|u| (u.id, u)).collect();
    let heads = heads_of(&txn, &[current]).await?;
    let before = unit_view(current, &by_id, &heads);
    let mut errors = Vec::new();
    let mut am = current.clone().into_active_model();

    if let Some(name) = &patch.name {
        match validate_name(name) {
            Ok(n) => am.name = Set(n.to_owned()),
            Err(e) => errors.push(FieldError::expected("name", e)),
        }
    }
    match &patch.parent {
        Some(Some(p)) => {
            let p = referenced_unit(&units, &tree, actor.units_read(), "parent", p)?;
            if !actor.units_add_under().covers(&tree, p.id, None) {
                return Err(Error::Forbidden);
            }
            if !p.active {
                errors.push(FieldError::new(
                    "parent",
                    "the parent unit is deactivated",
                    "上级部门已停用",
                ));
            }
            if tree.check_move(current.id, Some(p.id)).is_err() {
                errors.push(FieldError::new(
                    "parent",
                    "a unit cannot be moved under itself or one of its own descendants",
                    "部门不能移动到自身或其下级部门之下",
                ));
            }
            am.parent_id = Set(Some(p.id));
        }
        Some(None) if actor.may_add_root_unit() => am.parent_id = Set(None),
        Some(None) => return Err(Error::Forbidden),
        None => {}
    }
    match &patch.head {
        Some(Some(no)) => {
            let p = find_person_in_reach(&txn, actor, &tree, no).await?;
            match p {
                Some(p) if p.active => am.head_person_id = Set(Some(p.id)),
                _ => errors.push(FieldError::new(
                    "head",
                    format!("no active person with employee no \"{no}\""),
                    format!("没有工号为 \"{no}\" 的在职人员"),
                )),
            }
        }
        Some(None) => am.head_person_id = Set(None),
        None => {}
    }
    match patch.active {
        Some(false) if current.active => {
            let people = person::Entity::find()
                .filter(person::Column::UnitId.eq(current.id))
                .filter(person::Column::Active.eq(true))
                .count(&txn)
                .await?;
            let kids = units
                .iter()
                .filter(|u| u.parent_id == Some(current.id) && u.active)
                .count();
            if people > 0 || kids > 0 {
                errors.push(FieldError::new(
                    "active",
                    format!("the unit still has {people} active people and {kids} active units; move or deactivate them first"),
                    format!("该部门仍有 {people} 名在职人员和 {kids} 个启用的下级部门，请先调走或停用"),
                ));
            }
            am.active = Set(false);
        }
        Some(true) if !current.active => {
            let parent_inactive = current
                .parent_id
                .and_then(|p| units.iter().find(|u| u.id == p))
                .is_some_and(|p| !p.active);
            if parent_inactive && patch.parent.is_none() {
                errors.push(FieldError::new(
                    "active",
                    "the parent unit is deactivated; reactivate it or move this unit first",
                    "上级部门已停用，请先恢复上级部门或移动本部门",
                ));
            }
            am.active = Set(true);
        }
        Some(a) => am.active = Set(a),
        None => {}
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    am.updated_at = Set(Utc::now());
    am.update(&txn).await?;
    // Figures roll up the tree: a move changes both the old and the new
    // branch.
    if let Some(new_parent) = units_after_parent(&patch.parent, &units) {
        let mut chains: Vec<i64> = current.parent_id.into_iter().collect();
        chains.push(new_parent);
        super::lock_lane(&txn, super::Lane::Figures).await?;
        super::figures::refresh_after_move(
            &txn,
            &[super::figures::Subject::Unit(current.id)],
            &chains,
        )
        .await?;
    }
    let (_, units) = load_tree(&txn).await?;
    let by_id: HashMap<i64, &unit::Model> = units.iter().map(|u| (u.id, u)).collect();
    let updated = by_id.get(&current.id).copied().ok_or(Error::NotFound)?;
    let heads = heads_of(&txn, &[updated]).await?;
    let after = unit_view(updated, &by_id, &heads);
    audit::record(
        &txn,
        Some(actor),
        "update",
        "unit",
        code,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- people

/// A person as pages and the API show them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PersonView {
    pub employee_no: String,
    pub name: String,
    /// Unit code.
    pub unit: String,
    pub unit_name: String,
    pub role: Role,
    /// 工号 of the direct manager: the one set, or else the unit's head.
    pub manager: Option<String>,
    pub manager_name: Option<String>,
    /// True when the manager was set explicitly rather than taken from the unit.
    pub manager_explicit: bool,
    pub hire_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    /// Login name, when the person has an account.
    pub username: Option<String>,
}

/// `POST /api/v1/people`; also one row of a people import.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub employee_no: String,
    pub name: String,
    /// Unit code.
    pub unit: String,
    /// Role code (`sales`, …) or its Chinese name (`销售代表`).
    pub role: String,
    /// 工号 of the direct manager; defaults to the unit's head.
    pub manager: Option<String>,
    /// `YYYY-MM-DD`.
    pub hire_date: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// With `password`, creates a login account for the person.
    pub username: Option<String>,
    pub password: Option<String>,
}

/// `PATCH /api/v1/people/{employee_no}`: only the fields present change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    pub name: Option<String>,
    pub unit: Option<String>,
    pub role: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub manager: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub hire_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// `false` deactivates the person and their account.
    pub active: Option<bool>,
}

/// Narrows a people list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct PeopleFilter {
    /// Only people in this unit and below it.
    pub unit: Option<String>,
    /// Include deactivated people.
    #[serde(default)]
    pub inactive: bool,
    /// Part of a name or employee no.
    pub q: Option<String>,
}

/// What people views need besides the person rows.
struct PeopleContext {
    units: HashMap<i64, unit::Model>,
    names: HashMap<i64, (String, String)>,
    usernames: HashMap<i64, String>,
}

impl PeopleContext {
    async fn load<C: ConnectionTrait>(conn: &C, people: &[person::Model]) -> Result<Self> {
        let (_, units) = load_tree(conn).await?;
        let units: HashMap<i64, unit::Model> = units.into_iter().map(|u| (u.id, u)).collect();
        // Managers and heads may lie outside the list; their names are shown.
        let mut ids: Vec<i64> = people.iter().filter_map(|p| p.manager_id).collect();
        ids.extend(units.values().filter_map(|u| u.head_person_id));
        ids.sort_unstable();
        ids.dedup();
        let mut names: HashMap<i64, (String, String)> = people
            .iter()
            .map(|p| (p.id, (p.employee_no.clone(), p.name.clone())))
            .collect();
        let missing: Vec<i64> = ids.into_iter().filter(|i| !names.contains_key(i)).collect();
        for chunk in missing.chunks(500) {
            for p in person::Entity::find()
                .filter(person::Column::Id.is_in(chunk.to_vec()))
                .all(conn)
                .await?
            {
                names.insert(p.id, (p.employee_no, p.name));
            }
        }
        let usernames = user::Entity::find()
            .filter(user::Column::PersonId.is_not_null())
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|u| u.person_id.map(|pid| (pid, u.username)))
            .collect();
        Ok(PeopleContext {
            units,
            names,
            usernames,
        })
    }

    /// The explicit manager, or else the nearest unit head above the person.
    fn effective_manager(&self, p: &person::Model) -> Option<i64> {
        if p.manager_id.is_some() {
            return p.manager_id;
        }
        let mut unit = self.units.get(&p.unit_id);
        let mut hops = 0;
        while let Some(u) = unit {
            if let Some(h) = u.head_person_id.filter(|h| *h != p.id) {
                return Some(h);
            }
            hops += 1;
            if hops > self.units.len() {
                break;
            }
            unit = u.parent_id.and_then(|id| self.units.get(&id));
        }
        None
    }

    fn view(&self, p: &person::Model) -> PersonView {
        let unit = self.units.get(&p.unit_id);
        let manager = self.effective_manager(p).and_then(|m| self.names.get(&m));
        PersonView {
            employee_no: p.employee_no.clone(),
            name: p.name.clone(),
            unit: unit.map(|u| u.code.clone()).unwrap_or_default(),
            unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
            role: p.role.parse().unwrap_or(Role::Sales),
            manager: manager.map(|m| m.0.clone()),
            manager_name: manager.map(|m| m.1.clone()),
            manager_explicit: p.manager_id.is_some(),
            hire_date: p.hire_date,
            phone: p.phone.clone(),
            email: p.email.clone(),
            active: p.active,
            username: self.usernames.get(&p.id).cloned(),
        }
    }
}

/// Everyone the actor may see, filtered, ordered by unit then employee no.
pub async fn list_people(db: &Db, actor: &Actor, filter: &PeopleFilter) -> Result<Vec<PersonView>> {
    let (tree, units) = load_tree(db).await?;
    let mut q = person::Entity::find()
        .order_by_asc(person::Column::UnitId)
        .order_by_asc(person::Column::EmployeeNo);
    match actor.people_read() {
        Reach::Own(me) => q = q.filter(person::Column::Id.eq(me)),
        reach => {
            if let Some(ids) = reach.units(&tree) {
                q = q.filter(person::Column::UnitId.is_in(ids));
            }
        }
    }
    if let Some(code) = filter.unit.as_deref().filter(|c| !c.is_empty()) {
        // A unit outside one's reach is as unknown as a missing one.
        let root = units
            .iter()
            .find(|u| u.code == code)
            .filter(|u| actor.units_read().covers(&tree, u.id, None))
            .ok_or(Error::NotFound)?;
        q = q.filter(person::Column::UnitId.is_in(tree.subtree(root.id)));
    }
    if !filter.inactive {
        q = q.filter(person::Column::Active.eq(true));
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q = q.filter(
            sea_orm::Condition::any()
                .add(contains_ci(person::Column::Name, text))
                .add(contains_ci(person::Column::EmployeeNo, text)),
        );
    }
    let people = q.all(db).await?;
    let ctx = PeopleContext::load(db, &people).await?;
    Ok(people.iter().map(|p| ctx.view(p)).collect())
}

/// `col` contains `text`, ignoring ASCII case, with `%` and `_` taken
/// literally — the same on SQLite (whose LIKE ignores case) and PostgreSQL
/// (whose LIKE does not).
fn contains_ci(col: person::Column, text: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    let escaped: String = text
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    Expr::expr(Func::lower(Expr::col((person::Entity, col))))
        .like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

async fn find_person_in_reach<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    employee_no: &str,
) -> Result<Option<person::Model>> {
    Ok(person::Entity::find()
        .filter(person::Column::EmployeeNo.eq(employee_no.trim()))
        .one(conn)
        .await?
        .filter(|p| actor.people_read().covers(tree, p.unit_id, Some(p.id))))
}

/// One person, or `NotFound` when missing or out of reach.
pub async fn get_person(db: &Db, actor: &Actor, employee_no: &str) -> Result<PersonView> {
    let (tree, _) = load_tree(db).await?;
    let p = find_person_in_reach(db, actor, &tree, employee_no)
        .await?
        .ok_or(Error::NotFound)?;
    let ctx = PeopleContext::load(db, std::slice::from_ref(&p)).await?;
    Ok(ctx.view(&p))
}

/// The fields of a person after validation, ready to insert.
pub struct CheckedPerson {
    pub employee_no: String,
    pub name: String,
    pub unit_id: i64,
    pub role: Role,
    pub manager_id: Option<i64>,
    pub hire_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

fn optional_text(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// Validates every field of a new person, collecting all errors at once.
/// `later` lists employee numbers that an import is about to create, so a
/// row may name a manager from a later row.
async fn check_new_person<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    tree: &OrgTree,
    units: &[unit::Model],
    new: &NewPerson,
) -> Result<(CheckedPerson, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let employee_no = validate_employee_no(&new.employee_no)
        .map_err(|e| errors.push(FieldError::expected("employee_no", e)))
        .ok();
    let name = validate_name(&new.name)
        .map_err(|e| errors.push(FieldError::expected("name", e)))
        .ok();
    let unit_id = match referenced_unit(units, tree, actor.units_read(), "unit", &new.unit) {
        Ok(u) if !u.active => {
            errors.push(FieldError::new(
                "unit",
                format!("unit \"{}\" is deactivated", u.code),
                format!("部门 \"{}\" 已停用", u.code),
            ));
            None
        }
        Ok(u) if !actor.people_write().covers(tree, u.id, None) => {
            errors.push(FieldError::new(
                "unit",
                format!("you may not add people to unit \"{}\"", u.code),
                format!("您无权向部门 \"{}\" 添加人员", u.code),
            ));
            None
        }
        Ok(u) => Some(u.id),
        Err(Error::Invalid(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(_) => None,
    };
    let role = match new.role.parse::<Role>() {
        Ok(r) if actor.may_assign_role(r) => Some(r),
        Ok(r) => {
            errors.push(FieldError::new(
                "role",
                format!("you may not give the role \"{}\"", r.code()),
                format!("您无权分配角色 \"{}\"", r.name_zh()),
            ));
            None
        }
        Err(_) => {
            errors.push(FieldError::new(
                "role",
                format!(
                    "\"{}\" is not a role; expected one of admin, gm, manager, sales, sales_admin, hr",
                    new.role.trim()
                ),
                format!(
                    "\"{}\" 不是有效角色，应为 admin、gm、manager、sales、sales_admin、hr 或其中文名",
                    new.role.trim()
                ),
            ));
            None
        }
    };
    let hire_date = match optional_text(new.hire_date.as_deref()) {
        Some(d) => parse_date(d)
            .map_err(|e| errors.push(FieldError::expected("hire_date", e)))
            .ok(),
        None => None,
    };
    let phone = match optional_text(new.phone.as_deref()) {
        Some(p) => validate_phone(p)
            .map(str::to_owned)
            .map_err(|e| errors.push(FieldError::expected("phone", e)))
            .ok(),
        None => None,
    };
    let email = match optional_text(new.email.as_deref()) {
        Some(m) => validate_email(m)
            .map(str::to_owned)
            .map_err(|e| errors.push(FieldError::expected("email", e)))
            .ok(),
        None => None,
    };
    let mut manager_id = None;
    let mut manager_later = None;
    if let Some(m) = optional_text(new.manager.as_deref()) {
        if Some(m) == employee_no {
            errors.push(FieldError::new(
                "manager",
                "a person cannot be their own manager",
                "不能把自己设为上级",
            ));
        } else {
            match find_person_in_reach(conn, actor, tree, m).await {
                Ok(Some(p)) if p.active => manager_id = Some(p.id),
                Ok(_) => manager_later = Some(m.to_owned()),
                Err(e) => {
                    return Err(vec![FieldError::new(
                        "manager",
                        e.to_string(),
                        e.to_string(),
                    )]);
                }
            }
        }
    }
    match (employee_no, name, unit_id, role) {
        (Some(no), Some(name), Some(unit_id), Some(role)) if errors.is_empty() => Ok((
            CheckedPerson {
                employee_no: no.to_owned(),
                name: name.to_owned(),
                unit_id,
                role,
                manager_id,
                hire_date,
                phone,
                email,
            },
            manager_later,
        )),
        _ => Err(errors),
    }
}

fn unknown_manager(no: &str) -> FieldError {
    FieldError::new(
        "manager",
        format!("no active person with employee no \"{no}\""),
        format!("没有工号为 \"{no}\" 的在职人员"),
    )
}

pub async fn create_person(db: &Db, actor: &Actor, new: &NewPerson) -> Result<PersonView> {
    let wants_account = optional_text(new.username.as_deref()).is_some()
        || new.password.as_deref().is_some_and(|p| !p.is_empty());
    if wants_account && !actor.may_create_accounts() {
        return Err(Error::Forbidden);
    }
    // Argon2 runs before the write transaction, so no lock is held meanwhile.
    let hash = match new
        .password
        .as_deref()
        .filter(|p| p.chars().count() >= accounts::MIN_PASSWORD_LEN)
    {
        Some(p) => Some(accounts::hash_blocking(p).await?),
        None => None,
    };
    let txn = super::begin_write(db, super::Lane::Org).await?;
    let (tree, units) = load_tree(&txn).await?;
    // Every problem is reported at once: field checks, a taken number and
    // the account fields.
    let (checked, mut errors) = match check_new_person(&txn, actor, &tree, &units, new).await {
        Ok((c, later)) => (
            Some(c),
            later.map(|m| vec![unknown_manager(&m)]).unwrap_or_default(),
        ),
        Err(errors) => (None, errors),
    };
    let no = new.employee_no.trim();
    if !no.is_empty()
        && person::Entity::find()
            .filter(person::Column::EmployeeNo.eq(no))
            .one(&txn)
            .await?
            .is_some()
    {
        errors.push(FieldError::new(
            "employee_no",
            format!("employee no \"{no}\" is already used"),
            format!("工号 \"{no}\" 已存在"),
        ));
    }
    let account = match (
        optional_text(new.username.as_deref()),
        new.password.as_deref().filter(|p| !p.is_empty()),
    ) {
        (Some(u), Some(p)) => {
            if let Err(Error::Invalid(mut e)) = accounts::check_new_password("password", p) {
                errors.append(&mut e);
            }
            Some((u, p))
        }
        (None, None) => None,
        _ => {
            errors.push(FieldError::new(
                "username",
                "give both username and password to create an account, or neither",
                "创建账号需同时提供用户名和密码，或都不提供",
            ));
            None
        }
    };
    let Some(checked) = checked.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let p = insert_person(&txn, checked).await?;
    if let (Some((username, _)), Some(hash)) = (account, hash) {
        let role = p.role.parse().unwrap_or(Role::Sales);
        accounts::create_user_with_hash(&txn, Some(actor), username, &hash, role, Some(p.id))
            .await?;
    }
    let ctx = PeopleContext::load(&txn, std::slice::from_ref(&p)).await?;
    let view = ctx.view(&p);
    audit::record(
        &txn,
        Some(actor),
        "create",
        "person",
        &p.employee_no,
        None,
        Some(json!(view)),
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}

/// Inserts a validated person, active. Reach and audit are the caller's.
pub async fn insert_person<C: ConnectionTrait>(
    conn: &C,
    c: CheckedPerson,
) -> Result<person::Model> {
    let now = Utc::now();
    Ok(person::ActiveModel {
        employee_no: Set(c.employee_no),
        name: Set(c.name),
        unit_id: Set(c.unit_id),
        role: Set(c.role.code().to_owned()),
        manager_id: Set(c.manager_id),
        hire_date: Set(c.hire_date),
        phone: Set(c.phone),
        email: Set(c.email),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// True when making `manager` the manager of `person` would close a loop.
async fn manager_loop<C: ConnectionTrait>(conn: &C, person: i64, manager: i64) -> Result<bool> {
    let mut cur = Some(manager);
    let mut hops = 0;
    while let Some(id) = cur {
        if id == person {
            return Ok(true);
        }
        hops += 1;
        if hops > 1000 {
            return Ok(true);
        }
        cur = person::Entity::find_by_id(id)
            .one(conn)
            .await?
            .and_then(|p| p.manager_id);
    }
    Ok(false)
}

pub async fn update_person(
    db: &Db,
    actor: &Actor,
    employee_no: &str,
    patch: &PersonPatch,
) -> Result<PersonView> {
    let txn = super::begin_write(db, super::Lane::Org).await?;
    let (tree, units) = load_tree(&txn).await?;
    let current = find_person_in_reach(&txn, actor, &tree, employee_no)
        .await?
        .ok_or(Error::NotFound)?;
    let current_role: Role = current.role.parse().unwrap_or(Role::Sales);
    let own = actor.person_id == Some(current.id);
    if !actor.may_manage_person(&tree, current.unit_id, current.id, current_role)
        || (own && patch.active == Some(false))
    {
        return Err(Error::Forbidden);
    }
    let ctx = PeopleContext::load(&txn, std::slice::from_ref(&current)).await?;
    let before = ctx.view(&current);
    let mut errors = Vec::new();
    let mut am = current.clone().into_active_model();
    if let Some(name) = &patch.name {
        match validate_name(name) {
            Ok(n) => am.name = Set(n.to_owned()),
            Err(e) => errors.push(FieldError::expected("name", e)),
        }
    }
    if let Some(code) = &patch.unit {
        match referenced_unit(&units, &tree, actor.units_read(), "unit", code) {
            Ok(u) if !actor.people_write().covers(&tree, u.id, None) => {
                return Err(Error::Forbidden);
            }
            Ok(u) if !u.active => errors.push(FieldError::new(
                "unit",
                format!("unit \"{}\" is deactivated", u.code),
                format!("部门 \"{}\" 已停用", u.code),
            )),
            Ok(u) => am.unit_id = Set(u.id),
            Err(Error::Invalid(mut e)) => errors.append(&mut e),
            Err(e) => return Err(e),
        }
    }
    let mut new_role = None;
    if let Some(r) = &patch.role {
        match r.parse::<Role>() {
            Ok(r) if actor.may_change_role(own, current_role, r) => {
                am.role = Set(r.code().to_owned());
                new_role = Some(r);
            }
            Ok(_) => return Err(Error::Forbidden),
            Err(_) => errors.push(FieldError::new(
                "role",
                format!("\"{r}\" is not a role; expected one of admin, gm, manager, sales, sales_admin, hr"),
                format!("\"{r}\" 不是有效角色"),
            )),
        }
    }
    match &patch.manager {
        Some(Some(no)) => match find_person_in_reach(&txn, actor, &tree, no).await? {
            Some(m) if m.active && m.id != current.id => {
                if manager_loop(&txn, current.id, m.id).await? {
                    errors.push(FieldError::new(
                        "manager",
                        "this would make a reporting loop",
                        "这样会形成循环的上下级关系",
                    ));
                }
                am.manager_id = Set(Some(m.id));
            }
            Some(m) if m.id == current.id => errors.push(FieldError::new(
                "manager",
                "a person cannot be their own manager",
                "不能把自己设为上级",
            )),
            _ => errors.push(unknown_manager(no)),
        },
        Some(None) => am.manager_id = Set(None),
        None => {}
    }
    match &patch.hire_date {
        Some(Some(d)) if !d.trim().is_empty() => match parse_date(d) {
            Ok(d) => am.hire_date = Set(Some(d)),
            Err(e) => errors.push(FieldError::expected("hire_date", e)),
        },
        Some(_) => am.hire_date = Set(None),
        None => {}
    }
    match &patch.phone {
        Some(Some(p)) if !p.trim().is_empty() => match validate_phone(p) {
            Ok(p) => am.phone = Set(Some(p.to_owned())),
            Err(e) => errors.push(FieldError::expected("phone", e)),
        },
        Some(_) => am.phone = Set(None),
        None => {}
    }
    match &patch.email {
        Some(Some(m)) if !m.trim().is_empty() => match validate_email(m) {
            Ok(m) => am.email = Set(Some(m.to_owned())),
            Err(e) => errors.push(FieldError::expected("email", e)),
        },
        Some(_) => am.email = Set(None),
        None => {}
    }
    if let Some(active) = patch.active {
        am.active = Set(active);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await?;
    if updated.unit_id != current.unit_id {
        super::lock_lane(&txn, super::Lane::Figures).await?;
        super::figures::refresh_after_move(
            &txn,
            &[super::figures::Subject::Person(current.id)],
            &[current.unit_id, updated.unit_id],
        )
        .await?;
    }
    // The account follows the person: same role, closed with them.
    if let Some(u) = user::Entity::find()
        .filter(user::Column::PersonId.eq(current.id))
        .one(&txn)
        .await?
    {
        let uid = u.id;
        let mut uam = u.into_active_model();
        if let Some(r) = new_role {
            uam.role = Set(r.code().to_owned());
        }
        if let Some(active) = patch.active {
            uam.active = Set(active);
            if !active {
                session::Entity::delete_many()
                    .filter(session::Column::UserId.eq(uid))
                    .exec(&txn)
                    .await?;
            }
        }
        uam.updated_at = Set(Utc::now());
        uam.update(&txn).await?;
    }
    let ctx = PeopleContext::load(&txn, std::slice::from_ref(&updated)).await?;
    let after = ctx.view(&updated);
    audit::record(
        &txn,
        Some(actor),
        "update",
        "person",
        &current.employee_no,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// A person's stored fields for the audit log, with the unit's code.
fn audit_view(p: &person::Model, units: &[unit::Model]) -> serde_json::Value {
    let unit = units
        .iter()
        .find(|u| u.id == p.unit_id)
        .map(|u| u.code.as_str());
    json!({
        "employee_no": p.employee_no,
        "name": p.name,
        "unit": unit,
        "role": p.role,
        "manager_id": p.manager_id,
        "hire_date": p.hire_date,
        "phone": p.phone,
        "email": p.email,
        "active": p.active,
    })
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
}

/// An import error: the index of the row in the input and the field.
#[derive(Debug, Clone)]
pub struct RowError {
    pub index: usize,
    pub error: FieldError,
}

/// Creates or updates people by employee no, all or nothing. Managers may
/// refer to people created by the same import, in any order.
pub async fn import_people(
    db: &Db,
    actor: &Actor,
    rows: &[NewPerson],
) -> Result<Result<ImportSummary, Vec<RowError>>> {
    if !actor.may_import_people() {
        return Err(Error::Forbidden);
    }
    let txn = super::begin_write(db, super::Lane::Org).await?;
    let (tree, units) = load_tree(&txn).await?;
    let mut errors = Vec::new();
    let mut checked = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        match check_new_person(&txn, actor, &tree, &units, row).await {
            Ok((c, later)) => {
                if seen.insert(c.employee_no.clone(), index).is_some() {
                    errors.push(RowError {
                        index,
                        error: FieldError::new(
                            "employee_no",
                            format!(
                                "employee no \"{}\" appears more than once in the file",
                                c.employee_no
                            ),
                            format!("工号 \"{}\" 重复出现", c.employee_no),
                        ),
                    });
                }
                checked.push((index, c, later));
            }
            Err(errs) => errors.extend(errs.into_iter().map(|error| RowError { index, error })),
        }
    }
    let mut summary = ImportSummary::default();
    let mut ids: HashMap<String, i64> = HashMap::new();
    let mut pending_managers = Vec::new();
    // (person, unit before, unit after) of those the file moves.
    let mut moved: Vec<(i64, i64, i64)> = Vec::new();
    for (index, c, later) in checked {
        let existing = person::Entity::find()
            .filter(person::Column::EmployeeNo.eq(&c.employee_no))
            .one(&txn)
            .await?;
        let id = match existing {
            Some(p) if !actor.people_read().covers(&tree, p.unit_id, Some(p.id)) => {
                // Someone outside one's reach: the number reads as taken,
                // without telling who holds it.
                errors.push(RowError {
                    index,
                    error: FieldError::new(
                        "employee_no",
                        format!("employee no \"{}\" is already used", c.employee_no),
                        format!("工号 \"{}\" 已存在", c.employee_no),
                    ),
                });
                continue;
            }
            Some(p) => {
                let current_role: Role = p.role.parse().unwrap_or(Role::Sales);
                let own = actor.person_id == Some(p.id);
                if !actor.may_manage_person(&tree, p.unit_id, p.id, current_role)
                    || !actor.may_change_role(own, current_role, c.role)
                {
                    errors.push(RowError {
                        index,
                        error: FieldError::new(
                            "role",
                            format!("you may not change {} ({})", p.name, p.employee_no),
                            format!("您无权修改 {}（{}）", p.name, p.employee_no),
                        ),
                    });
                    continue;
                }
                if !p.active {
                    // Re-importing an old roster must not bring back people
                    // (and their logins) who have left.
                    errors.push(RowError {
                        index,
                        error: FieldError::new(
                            "employee_no",
                            format!(
                                "{} ({}) is deactivated; reactivate them first",
                                p.name, p.employee_no
                            ),
                            format!("{}（{}）已停用，请先恢复在职", p.name, p.employee_no),
                        ),
                    });
                    continue;
                }
                let id = p.id;
                if p.unit_id != c.unit_id {
                    moved.push((id, p.unit_id, c.unit_id));
                }
                let before = audit_view(&p, &units);
                let mut am = p.into_active_model();
                am.name = Set(c.name.clone());
                am.unit_id = Set(c.unit_id);
                am.role = Set(c.role.code().to_owned());
                if c.manager_id.is_some() {
                    am.manager_id = Set(c.manager_id);
                }
                // An empty or missing optional column keeps what is stored:
                // an import adds what the file says, it does not erase.
                if c.hire_date.is_some() {
                    am.hire_date = Set(c.hire_date);
                }
                if c.phone.is_some() {
                    am.phone = Set(c.phone.clone());
                }
                if c.email.is_some() {
                    am.email = Set(c.email.clone());
                }
                am.updated_at = Set(Utc::now());
                let updated = am.update(&txn).await?;
                // The account's role follows the person, as in `update_person`.
                user::Entity::update_many()
                    .col_expr(
                        user::Column::Role,
                        sea_orm::sea_query::Expr::value(c.role.code()),
                    )
                    .col_expr(
                        user::Column::UpdatedAt,
                        sea_orm::sea_query::Expr::value(Utc::now()),
                    )
                    .filter(user::Column::PersonId.eq(id))
                    .exec(&txn)
                    .await?;
                audit::record(
                    &txn,
                    Some(actor),
                    "import_update",
                    "person",
                    &c.employee_no,
                    Some(before),
                    Some(audit_view(&updated, &units)),
                )
                .await?;
                summary.updated += 1;
                id
            }
            None => {
                let no = c.employee_no.clone();
                let p = insert_person(&txn, c).await?;
                audit::record(
                    &txn,
                    Some(actor),
                    "import_create",
                    "person",
                    &no,
                    None,
                    Some(audit_view(&p, &units)),
                )
                .await?;
                summary.created += 1;
                p.id
            }
        };
        let no = rows[index].employee_no.trim().to_owned();
        ids.insert(no, id);
        if let Some(m) = later {
            pending_managers.push((index, id, m));
        }
    }
    for (index, id, manager_no) in pending_managers {
        let Some(m) = ids.get(&manager_no).copied() else {
            errors.push(RowError {
                index,
                error: unknown_manager(&manager_no),
            });
            continue;
        };
        if manager_loop(&txn, id, m).await? {
            errors.push(RowError {
                index,
                error: FieldError::new(
                    "manager",
                    "this would make a reporting loop",
                    "这样会形成循环的上下级关系",
                ),
            });
            continue;
        }
        if let Some(p) = person::Entity::find_by_id(id).one(&txn).await? {
            let no = p.employee_no.clone();
            let before = p.manager_id;
            let mut am = p.into_active_model();
            am.manager_id = Set(Some(m));
            am.update(&txn).await?;
            audit::record(
                &txn,
                Some(actor),
                "import_update",
                "person",
                &no,
                Some(json!({"manager_id": before})),
                Some(json!({"manager_id": m})),
            )
            .await?;
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.index);
        txn.rollback().await?;
        return Ok(Err(errors));
    }
    // People who changed unit take their figures along, as in
    // `update_person`: both branches roll up again.
    if !moved.is_empty() {
        super::lock_lane(&txn, super::Lane::Figures).await?;
        let subjects: Vec<super::figures::Subject> = moved
            .iter()
            .map(|(id, _, _)| super::figures::Subject::Person(*id))
            .collect();
        let units: Vec<i64> = moved
            .iter()
            .flat_map(|(_, old, new)| [*old, *new])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        super::figures::refresh_after_move(&txn, &subjects, &units).await?;
    }
    txn.commit().await?;
    Ok(Ok(summary))
}

/// Number of people, for the start-up check of an empty database.
pub async fn count_people(db: &Db) -> Result<u64> {
    Ok(person::Entity::find().count(db).await?)
}

/// Number of units: zero means a fresh database.
pub async fn count_units(db: &Db) -> Result<u64> {
    Ok(unit::Entity::find().count(db).await?)
}

/// The actor's own person record, if they have one.
pub async fn own_person(db: &Db, actor: &Actor) -> Result<Option<PersonView>> {
    let Some(pid) = actor.person_id else {
        return Ok(None);
    };
    let Some(p) = person::Entity::find_by_id(pid).one(db).await? else {
        return Ok(None);
    };
    let ctx = PeopleContext::load(db, std::slice::from_ref(&p)).await?;
    Ok(Some(ctx.view(&p)))
}

/// The id of a person by employee no, for the CLI (no reach applies there).
pub async fn person_id_by_employee_no(db: &Db, employee_no: &str) -> Result<Option<i64>> {
    Ok(person::Entity::find()
        .filter(person::Column::EmployeeNo.eq(employee_no.trim()))
        .one(db)
        .await?
        .map(|p| p.id))
}
