//! The org tree: company → departments/regions → teams, of any depth.
//!
//! The tree is small (hundreds of units even in a large company), so it is
//! held in memory to answer "which units are below this one" and "would this
//! move make a cycle" without recursive SQL that differs between databases.

use super::Expected;
use std::collections::{HashMap, HashSet};

/// Database id of an org unit.
pub type UnitId = i64;

/// One node as the tree needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitNode {
    pub id: UnitId,
    pub parent: Option<UnitId>,
    pub code: String,
    pub name: String,
    pub active: bool,
}

/// The whole org tree, indexed by id.
#[derive(Debug, Clone, Default)]
pub struct OrgTree {
    nodes: HashMap<UnitId, UnitNode>,
    children: HashMap<UnitId, Vec<UnitId>>,
}

impl OrgTree {
    pub fn new(units: impl IntoIterator<Item = UnitNode>) -> Self {
        let mut tree = OrgTree::default();
        for u in units {
            if let Some(p) = u.parent {
                tree.children.entry(p).or_default().push(u.id);
            }
            tree.nodes.insert(u.id, u);
        }
        // Children in code order so pages and exports are stable.
        for kids in tree.children.values_mut() {
            kids.sort_by(|a, b| tree.nodes[a].code.cmp(&tree.nodes[b].code));
        }
        tree
    }

    /// Every unit's id.
    pub fn all_ids(&self) -> impl Iterator<Item = UnitId> + '_ {
        self.nodes.keys().copied()
    }

    pub fn get(&self, id: UnitId) -> Option<&UnitNode> {
        self.nodes.get(&id)
    }

    pub fn by_code(&self, code: &str) -> Option<&UnitNode> {
        self.nodes.values().find(|u| u.code == code)
    }

    /// Direct children, ordered by code.
    pub fn children(&self, id: UnitId) -> &[UnitId] {
        self.children.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Units without a parent, ordered by code.
    pub fn roots(&self) -> Vec<UnitId> {
        let mut roots: Vec<_> = self.nodes.values().filter(|u| u.parent.is_none()).collect();
        roots.sort_by(|a, b| a.code.cmp(&b.code));
        roots.into_iter().map(|u| u.id).collect()
    }

    /// The unit and everything below it.
    pub fn subtree(&self, root: UnitId) -> HashSet<UnitId> {
        let mut seen = HashSet::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if self.nodes.contains_key(&id) && seen.insert(id) {
                stack.extend(self.children(id));
            }
        }
        seen
    }

    /// True when `unit` is `ancestor` or lies below it.
    pub fn is_within(&self, unit: UnitId, ancestor: UnitId) -> bool {
        self.path(unit).iter().any(|u| u.id == ancestor)
    }

    /// From the root down to the unit itself: the breadcrumbs.
    pub fn path(&self, id: UnitId) -> Vec<&UnitNode> {
        let mut path = Vec::new();
        let mut cur = self.nodes.get(&id);
        while let Some(u) = cur {
            // A corrupt tree with a cycle must not hang a page.
            if path.len() > self.nodes.len() {
                break;
            }
            path.push(u);
            cur = u.parent.and_then(|p| self.nodes.get(&p));
        }
        path.reverse();
        path
    }

    /// `units` deepest first (by depth, then id), each with those of its
    /// children that are among `units` (in [`Self::children`]' order): the order rollups go in, every unit
    /// after its sub-units, whose new values it takes.
    pub fn bottom_up(&self, units: &[UnitId]) -> Vec<(UnitId, Vec<UnitId>)> {
        let among: HashSet<UnitId> = units.iter().copied().collect();
        let mut by_depth: Vec<(usize, UnitId)> =
            units.iter().map(|u| (self.path(*u).len(), *u)).collect();
        by_depth.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        by_depth
            .into_iter()
            .map(|(_, u)| {
                let children = self.children(u).iter().copied();
                (u, children.filter(|c| among.contains(c)).collect())
            })
            .collect()
    }

    /// Depth-first order with depth, for an indented tree view.
    pub fn walk(&self, root: UnitId) -> Vec<(usize, &UnitNode)> {
        let mut out = Vec::new();
        let mut stack = vec![(0usize, root)];
        while let Some((depth, id)) = stack.pop() {
            if let Some(u) = self.nodes.get(&id) {
                if out.len() > self.nodes.len() {
                    break;
                }
                out.push((depth, u));
                for kid in self.children(id).iter().rev() {
                    stack.push((depth + 1, *kid));
                }
            }
        }
        out
    }

    /// Checks moving `unit` under `new_parent`: a unit may not go below itself.
    pub fn check_move(&self, unit: UnitId, new_parent: Option<UnitId>) -> Result<(), OrgError> {
        match new_parent {
            Some(p) if self.is_within(p, unit) => Err(OrgError::Cycle),
            _ => Ok(()),
        }
    }
}

/// A change the org tree does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error("a unit cannot be moved under itself or one of its own descendants")]
    Cycle,
}

/// Checks a unit code: 1–32 letters, digits, `-` or `_`.
pub fn validate_unit_code(code: &str) -> Result<&str, Expected> {
    let code = code.trim();
    if code.is_empty() || code.len() > 32 {
        return Err(Expected::new("1 to 32 characters", "1 到 32 个字符"));
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Expected::new(
            "letters, digits, '-' or '_' only",
            "只能包含字母、数字、'-' 或 '_'",
        ));
    }
    Ok(code)
}

/// Checks a display name: not blank, at most 64 characters.
pub fn validate_name(name: &str) -> Result<&str, Expected> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Expected::new("must not be empty", "不能为空"));
    }
    if name.chars().count() > 64 {
        return Err(Expected::new("at most 64 characters", "最多 64 个字符"));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: UnitId, parent: Option<UnitId>, code: &str) -> UnitNode {
        UnitNode {
            id,
            parent,
            code: code.into(),
            name: code.into(),
            active: true,
        }
    }

    /// 公司 → 华东大区 → 上海一组, 杭州组; 公司 → 华南大区.
    fn company() -> OrgTree {
        OrgTree::new([
            node(1, None, "HQ"),
            node(2, Some(1), "HD"),
            node(3, Some(2), "HD-SH1"),
            node(4, Some(2), "HD-HZ"),
            node(5, Some(1), "HN"),
        ])
    }

    #[test]
    fn subtree_holds_the_unit_and_everything_below() {
        let t = company();
        assert_eq!(t.subtree(2), HashSet::from([2, 3, 4]));
        assert_eq!(t.subtree(5), HashSet::from([5]));
        assert_eq!(t.subtree(1).len(), 5);
    }

    #[test]
    fn breadcrumbs_run_from_the_company_down() {
        let t = company();
        let codes: Vec<_> = t.path(3).iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes, ["HQ", "HD", "HD-SH1"]);
    }

    #[test]
    fn moving_under_own_descendant_is_a_cycle() {
        let t = company();
        assert_eq!(t.check_move(2, Some(3)), Err(OrgError::Cycle));
        assert_eq!(t.check_move(2, Some(2)), Err(OrgError::Cycle));
        assert_eq!(t.check_move(3, Some(5)), Ok(()));
        assert_eq!(t.check_move(5, None), Ok(()));
    }

    #[test]
    fn rollups_go_deepest_first_with_their_children_among_them() {
        let t = company();
        assert_eq!(
            t.bottom_up(&[1, 5, 4, 2, 3]),
            [
                (3, vec![]),
                (4, vec![]),
                (2, vec![4, 3]),
                (5, vec![]),
                (1, vec![2, 5])
            ]
        );
        // 上海一组 is not among them: 华东大区 takes its stored figures.
        assert_eq!(t.bottom_up(&[4, 2]), [(4, vec![]), (2, vec![4])]);
        assert_eq!(t.bottom_up(&[]), []);
    }

    #[test]
    fn walk_is_depth_first_in_code_order() {
        let t = company();
        let order: Vec<_> = t
            .walk(1)
            .iter()
            .map(|(d, u)| (*d, u.code.as_str()))
            .collect();
        assert_eq!(
            order,
            [(0, "HQ"), (1, "HD"), (2, "HD-HZ"), (2, "HD-SH1"), (1, "HN")]
        );
    }

    #[test]
    fn unit_codes_are_short_and_plain() {
        assert_eq!(validate_unit_code(" HD-01 "), Ok("HD-01"));
        assert!(validate_unit_code("").is_err());
        assert!(validate_unit_code("华东").is_err());
        assert!(validate_unit_code(&"X".repeat(33)).is_err());
    }
}
