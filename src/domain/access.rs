//! Who reaches what: the one place where reach is decided.
//!
//! Every handler, page and API route asks these functions; storage applies
//! the answer as a filter. A record outside an actor's read reach is treated
//! as if it did not exist (404), never shown.
//!
//! The rules, from PRODUCT.md:
//! - `admin` manages set-up: the org tree, people and accounts, everywhere.
//! - `gm` reads everything.
//! - `manager` reaches the subtree of their own unit; they may add units below
//!   it and manage its people, but not rename, move or close their own unit.
//! - `sales` reaches their own person record and sees their own unit.
//! - `sales_admin` reads the whole company (they enter everyone's orders).
//! - `hr` manages people data everywhere and reads the org tree.
//! - the audit log is read by `admin` and `gm` only.

use super::org::{OrgTree, UnitId};
use super::role::Role;

/// Database id of a person.
pub type PersonId = i64;

/// The signed-in user, as the rules need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// The person record of this user; `admin` may have none.
    pub person_id: Option<PersonId>,
    /// The unit of that person.
    pub unit_id: Option<UnitId>,
}

/// The part of the company an actor reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Nothing,
    /// Only the actor's own person record.
    Own(PersonId),
    /// One unit, without what lies below it.
    Unit(UnitId),
    /// A unit and everything below it.
    Subtree(UnitId),
    /// Everything below a unit, the unit itself excluded.
    Below(UnitId),
    All,
}

impl Reach {
    /// Does this reach include a record that belongs to `unit` (and, for
    /// people, is `person`)?
    pub fn covers(self, tree: &OrgTree, unit: UnitId, person: Option<PersonId>) -> bool {
        match self {
            Reach::Nothing => false,
            Reach::All => true,
            Reach::Own(me) => person == Some(me),
            Reach::Unit(u) => person.is_none() && unit == u,
            Reach::Subtree(root) => tree.is_within(unit, root),
            Reach::Below(root) => unit != root && tree.is_within(unit, root),
        }
    }

    /// The set of units this reach spans, `None` meaning all of them.
    /// Used to filter list queries.
    pub fn units(self, tree: &OrgTree) -> Option<Vec<UnitId>> {
        match self {
            Reach::All => None,
            Reach::Nothing | Reach::Own(_) => Some(Vec::new()),
            Reach::Unit(u) => Some(vec![u]),
            Reach::Subtree(root) => Some(tree.subtree(root).into_iter().collect()),
            Reach::Below(root) => Some(
                tree.subtree(root)
                    .into_iter()
                    .filter(|u| *u != root)
                    .collect(),
            ),
        }
    }
}

impl Actor {
    fn own_subtree(&self) -> Reach {
        self.unit_id.map_or(Reach::Nothing, Reach::Subtree)
    }

    /// Units the actor may see.
    pub fn units_read(&self) -> Reach {
        match self.role {
            Role::Admin | Role::Gm | Role::SalesAdmin | Role::Hr => Reach::All,
            Role::Manager => self.own_subtree(),
            Role::Sales => self.unit_id.map_or(Reach::Nothing, Reach::Unit),
        }
    }

    /// Units under which the actor may add a new unit.
    pub fn units_add_under(&self) -> Reach {
        match self.role {
            Role::Admin => Reach::All,
            Role::Manager => self.own_subtree(),
            _ => Reach::Nothing,
        }
    }

    /// May the actor create a top-level unit (a new company root)?
    pub fn may_add_root_unit(&self) -> bool {
        self.role == Role::Admin
    }

    /// Existing units the actor may rename, move or deactivate.
    pub fn units_write(&self) -> Reach {
        match self.role {
            Role::Admin => Reach::All,
            Role::Manager => self.unit_id.map_or(Reach::Nothing, Reach::Below),
            _ => Reach::Nothing,
        }
    }

    /// People the actor may see.
    pub fn people_read(&self) -> Reach {
        match self.role {
            Role::Admin | Role::Gm | Role::SalesAdmin | Role::Hr => Reach::All,
            Role::Manager => self.own_subtree(),
            Role::Sales => self.person_id.map_or(Reach::Nothing, Reach::Own),
        }
    }

    /// Units in which the actor may add, change or deactivate people.
    /// A manager cannot change their own record (their role, say).
    pub fn people_write(&self) -> Reach {
        match self.role {
            Role::Admin | Role::Hr => Reach::All,
            Role::Manager => self.own_subtree(),
            _ => Reach::Nothing,
        }
    }

    /// May the actor change this person? Combines the unit reach with the
    /// rule that nobody but admin and hr edits their own record.
    pub fn may_write_person(&self, tree: &OrgTree, unit: UnitId, person: PersonId) -> bool {
        let own = self.person_id == Some(person);
        self.people_write().covers(tree, unit, None)
            && (!own || matches!(self.role, Role::Admin | Role::Hr))
    }

    /// Roles the actor may give to a person or account. Only admin hands
    /// out `admin` and `gm`: those reach everything.
    pub fn may_assign_role(&self, role: Role) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Hr => !matches!(role, Role::Admin | Role::Gm),
            Role::Manager => matches!(role, Role::Sales | Role::Manager),
            _ => false,
        }
    }

    /// May the actor change a person who holds `current` into `new`? They
    /// must be able to give both roles (an HR clerk cannot demote the GM),
    /// and nobody but admin changes their own role.
    pub fn may_change_role(&self, own_record: bool, current: Role, new: Role) -> bool {
        if current == new {
            return true;
        }
        if own_record && self.role != Role::Admin {
            return false;
        }
        self.may_assign_role(current) && self.may_assign_role(new)
    }

    /// May the actor change anything about a person who holds `role` in
    /// `unit`? Besides the unit reach: people whose role the actor could not
    /// give are out of bounds (a manager cannot deactivate the HR clerk
    /// placed in their region), and a manager's own peers — managers in
    /// their own unit — are their superior's to manage.
    pub fn may_manage_person(
        &self,
        tree: &OrgTree,
        unit: UnitId,
        person: PersonId,
        role: Role,
    ) -> bool {
        if !self.may_write_person(tree, unit, person) {
            return false;
        }
        let own = self.person_id == Some(person);
        if own {
            return true;
        }
        match self.role {
            Role::Admin => true,
            Role::Manager if role == Role::Manager => self.unit_id.is_some_and(|u| u != unit),
            _ => self.may_assign_role(role),
        }
    }

    /// May the actor create a login account when adding a person?
    pub fn may_create_accounts(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Hr)
    }

    /// Subjects whose targets the actor may set. gm and admin anywhere; a
    /// manager below their own unit (their own unit's target comes from
    /// above).
    pub fn targets_write(&self) -> Reach {
        match self.role {
            Role::Admin | Role::Gm => Reach::All,
            // A manager's changes are proposals in their plan, approved by
            // the next manager up: they may propose for their own unit too.
            Role::Manager => self.own_subtree(),
            _ => Reach::Nothing,
        }
    }

    /// Do the actor's target changes take effect at once (as a published
    /// plan version)? The GM is the top of the approval chain; everyone
    /// else's changes wait in a draft for approval.
    pub fn publishes_targets_directly(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Gm)
    }

    /// Plans (目标分解方案) the actor may read: those of units in this reach.
    pub fn plans_read(&self) -> Reach {
        match self.role {
            Role::Admin | Role::Gm => Reach::All,
            Role::Manager => self.own_subtree(),
            _ => Reach::Nothing,
        }
    }

    /// May the actor approve or return a plan of `plan_unit` proposed by
    /// `author`? The GM and admin may; so may a manager of a unit strictly
    /// above the plan's — the next manager up — but nobody their own.
    pub fn may_approve_plan(&self, tree: &OrgTree, plan_unit: UnitId, author: Option<i64>) -> bool {
        if author == Some(self.user_id) {
            return false;
        }
        match self.role {
            Role::Admin | Role::Gm => true,
            Role::Manager => self
                .unit_id
                .is_some_and(|own| own != plan_unit && tree.is_within(plan_unit, own)),
            _ => false,
        }
    }

    /// May the actor edit and submit the draft of a plan of `plan_unit`?
    /// Its unit's managers (the GM's plans are never drafts).
    pub fn may_draft_plan(&self, plan_unit: UnitId) -> bool {
        self.role == Role::Manager && self.unit_id == Some(plan_unit)
    }

    /// Subjects whose actuals the actor may enter: gm, admin and the
    /// compiling office (sales admins) anywhere; a manager — their unit's
    /// submitter — in their own subtree.
    pub fn actuals_write(&self) -> Reach {
        match self.role {
            Role::Admin | Role::Gm | Role::SalesAdmin => Reach::All,
            Role::Manager => self.own_subtree(),
            _ => Reach::Nothing,
        }
    }

    /// Locking and reopening months: the compiling office and above.
    pub fn may_lock_periods(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Gm | Role::SalesAdmin)
    }

    /// Metric set-up.
    pub fn may_manage_metrics(&self) -> bool {
        self.role == Role::Admin
    }

    /// The audit log: admin and gm.
    pub fn may_read_audit(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Gm)
    }

    /// Account administration: reset other users' passwords, list accounts.
    pub fn may_manage_accounts(&self) -> bool {
        self.role == Role::Admin
    }

    /// Imports of people: those who may add people somewhere.
    pub fn may_import_people(&self) -> bool {
        self.people_write() != Reach::Nothing
    }

    // --- The sales process: customers, orders, activities, projects, plans.
    // A record of the sales process belongs to a person (a customer's
    // owner, an order's credited salespeople, an activity's author); reach
    // is decided by that person's unit, as for people.

    fn own_record(&self) -> Reach {
        self.person_id.map_or(Reach::Nothing, Reach::Own)
    }

    /// Customers (with their contacts, notes and projects) the actor reads,
    /// by their owner. Sales admins read every customer: they enter
    /// everyone's orders.
    pub fn customers_read(&self) -> Reach {
        match self.role {
            Role::Admin | Role::Gm | Role::SalesAdmin => Reach::All,
            Role::Manager => self.own_subtree(),
            Role::Sales => self.own_record(),
            Role::Hr => Reach::Nothing,
        }
    }

    /// Customers the actor may add or change, by their owner. The GM reads.
    pub fn customers_write(&self) -> Reach {
        match self.role {
            Role::Admin | Role::SalesAdmin => Reach::All,
            Role::Manager => self.own_subtree(),
            Role::Sales => self.own_record(),
            Role::Gm | Role::Hr => Reach::Nothing,
        }
    }

    /// May the actor read the private fields of a key-customer profile
    /// (关键客户信息: background, family, interests …) of a customer owned by
    /// `owner`, who works in `owner_unit`? Only the owner and their chain
    /// of managers up to the GM: not admin, not the sales admins, not HR,
    /// not other salespeople — the seed warns that a leak could do harm.
    /// A customer without an owner has nobody's private profile.
    pub fn may_read_private_profile(
        &self,
        tree: &OrgTree,
        owner_unit: Option<UnitId>,
        owner: Option<PersonId>,
    ) -> bool {
        let (Some(owner), Some(owner_unit)) = (owner, owner_unit) else {
            return false;
        };
        match self.role {
            Role::Gm => true,
            Role::Manager => {
                self.person_id == Some(owner)
                    || self.own_subtree().covers(tree, owner_unit, Some(owner))
            }
            Role::Sales => self.person_id == Some(owner),
            Role::Admin | Role::SalesAdmin | Role::Hr => false,
        }
    }

    /// Orders and collections the actor reads, by their credited
    /// salespeople.
    pub fn orders_read(&self) -> Reach {
        self.customers_read()
    }

    /// Orders the actor may enter or change: sales admins and admin all,
    /// a salesperson those credited to them.
    pub fn orders_write(&self) -> Reach {
        match self.role {
            Role::Admin | Role::SalesAdmin => Reach::All,
            Role::Sales => self.own_record(),
            Role::Gm | Role::Manager | Role::Hr => Reach::Nothing,
        }
    }

    /// Imports of orders: the compiling office and admin.
    pub fn may_import_orders(&self) -> bool {
        matches!(self.role, Role::Admin | Role::SalesAdmin)
    }

    /// Activities, daily plans and weekly reports the actor reads, by
    /// their author.
    pub fn work_read(&self) -> Reach {
        match self.role {
            Role::Admin | Role::Gm | Role::SalesAdmin => Reach::All,
            Role::Manager => self.own_subtree(),
            Role::Sales => self.own_record(),
            Role::Hr => Reach::Nothing,
        }
    }

    /// Activities, daily plans and weekly reports the actor may write:
    /// everyone with a person record their own; admin corrects anyone's.
    pub fn work_write(&self) -> Reach {
        match self.role {
            Role::Admin => Reach::All,
            _ => self.own_record(),
        }
    }

    /// May the actor comment on the plan or report of `person` in `unit`?
    /// Their managers (a manager whose subtree holds them) and the GM;
    /// nobody on their own.
    pub fn may_comment_work(&self, tree: &OrgTree, unit: UnitId, person: PersonId) -> bool {
        if self.person_id == Some(person) {
            return false;
        }
        match self.role {
            Role::Gm => true,
            Role::Manager => self.own_subtree().covers(tree, unit, Some(person)),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::org::UnitNode;

    fn tree() -> OrgTree {
        let n = |id, parent, code: &str| UnitNode {
            id,
            parent,
            code: code.into(),
            name: code.into(),
            active: true,
        };
        OrgTree::new([
            n(1, None, "HQ"),
            n(2, Some(1), "HD"),
            n(3, Some(2), "HD1"),
            n(4, Some(1), "HN"),
        ])
    }

    fn actor(role: Role, person: Option<PersonId>, unit: Option<UnitId>) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            role,
            person_id: person,
            unit_id: unit,
        }
    }

    #[test]
    fn manager_reaches_own_subtree_only() {
        let t = tree();
        let m = actor(Role::Manager, Some(10), Some(2));
        assert!(m.people_read().covers(&t, 3, Some(11)));
        assert!(!m.people_read().covers(&t, 4, Some(12)));
        assert!(m.units_add_under().covers(&t, 2, None));
        // May not rename or move the region they head, only what is below it.
        assert!(!m.units_write().covers(&t, 2, None));
        assert!(m.units_write().covers(&t, 3, None));
        assert!(!m.may_write_person(&t, 2, 10));
        assert!(m.may_write_person(&t, 3, 11));
    }

    #[test]
    fn salesperson_reaches_only_their_own_record() {
        let t = tree();
        let s = actor(Role::Sales, Some(11), Some(3));
        assert!(s.people_read().covers(&t, 3, Some(11)));
        assert!(!s.people_read().covers(&t, 3, Some(12)));
        assert_eq!(s.people_write(), Reach::Nothing);
        assert!(!s.may_read_audit());
    }

    #[test]
    fn gm_reads_all_but_sets_up_nothing() {
        let t = tree();
        let g = actor(Role::Gm, Some(1), Some(1));
        assert!(g.people_read().covers(&t, 4, Some(99)));
        assert_eq!(g.units_write(), Reach::Nothing);
        assert!(g.may_read_audit());
    }

    #[test]
    fn role_assignment_cannot_escalate() {
        let hr = actor(Role::Hr, Some(5), Some(1));
        assert!(hr.may_assign_role(Role::Manager));
        assert!(!hr.may_assign_role(Role::Gm));
        assert!(!hr.may_assign_role(Role::Admin));
        // HR cannot make itself GM, nor demote the GM.
        assert!(!hr.may_change_role(true, Role::Hr, Role::Gm));
        assert!(!hr.may_change_role(true, Role::Hr, Role::Sales));
        assert!(!hr.may_change_role(false, Role::Gm, Role::Sales));
        assert!(hr.may_change_role(false, Role::Sales, Role::Manager));
        let admin = actor(Role::Admin, None, None);
        assert!(admin.may_change_role(false, Role::Gm, Role::Sales));
        let m = actor(Role::Manager, Some(10), Some(2));
        assert!(m.may_assign_role(Role::Sales));
        assert!(!m.may_assign_role(Role::Hr));
        assert!(!actor(Role::Sales, None, None).may_assign_role(Role::Sales));
    }

    #[test]
    fn managers_do_not_manage_their_peers_or_other_functions() {
        let t = tree();
        let m = actor(Role::Manager, Some(10), Some(2));
        // A deputy manager in the region itself is the superior's to manage.
        assert!(!m.may_manage_person(&t, 2, 12, Role::Manager));
        // A team lead below is the manager's.
        assert!(m.may_manage_person(&t, 3, 13, Role::Manager));
        assert!(m.may_manage_person(&t, 3, 11, Role::Sales));
        // An HR clerk placed in the region is not.
        assert!(!m.may_manage_person(&t, 3, 14, Role::Hr));
    }

    #[test]
    fn manager_without_a_unit_reaches_nothing() {
        let t = tree();
        let m = actor(Role::Manager, None, None);
        assert!(!m.people_read().covers(&t, 1, Some(1)));
        assert_eq!(m.people_read().units(&t), Some(vec![]));
    }
}
