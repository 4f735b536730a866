//! The spanning-tree basis of the network simplex: a tree over every node plus an artificial root,
//! kept as flat `u32` arrays (parent, the arc to the parent and its direction, depth, and
//! doubly linked child lists).
//!
//! A pivot adds the entering arc and drops the leaving one, which cuts the tree in two; the part
//! not holding the root is re-hung from the entering arc ([`Tree::rehang`]). The invariant every
//! operation keeps: `parent`, `pred`, `up` and the child lists describe the same tree rooted at
//! the root, and `depth[v]` is v's distance from the root (so the apex of a pivot's cycle is
//! found by climbing from the deeper end, [`Tree::join`]). Re-hanging costs the length of the
//! reversed path plus the size of the moved subtree, which is also what the potential update
//! must touch, so nothing is spent beyond it.

/// "No node" in the `u32` arrays.
pub(crate) const NONE: u32 = u32::MAX;

#[derive(Debug)]
pub(crate) struct Tree {
    /// Parent of each node; `NONE` for the root.
    pub parent: Vec<u32>,
    /// The arc joining each node to its parent.
    pub pred: Vec<u32>,
    /// Whether that arc points from the node up to its parent (otherwise parent → node).
    pub up: Vec<bool>,
    /// Distance from the root.
    depth: Vec<u32>,
    first_child: Vec<u32>,
    next_sibling: Vec<u32>,
    prev_sibling: Vec<u32>,
    /// Reused by [`Tree::rehang`]'s walk of the moved subtree.
    stack: Vec<u32>,
}

impl Tree {
    /// The initial basis: node `root` with every other node `v` its child through arc
    /// `first_arc + v`, pointing up when `up[v]`.
    pub fn star(root: u32, first_arc: u32, up: Vec<bool>) -> Self {
        let count = up.len();
        let r = root as usize;
        let mut tree = Self {
            parent: vec![root; count],
            pred: (0..count as u32).map(|v| first_arc.wrapping_add(v)).collect(),
            up,
            depth: vec![1; count],
            first_child: vec![NONE; count],
            next_sibling: vec![NONE; count],
            prev_sibling: vec![NONE; count],
            stack: Vec::new(),
        };
        tree.parent[r] = NONE;
        tree.pred[r] = NONE;
        tree.depth[r] = 0;
        for v in (0..count as u32).rev() {
            if v != root {
                tree.attach(v, root);
            }
        }
        tree
    }

    /// The apex of the cycle the arc `u — v` closes: their deepest common ancestor.
    pub fn join(&self, mut u: u32, mut v: u32) -> u32 {
        while u != v {
            let (du, dv) = (self.depth[u as usize], self.depth[v as usize]);
            if du >= dv {
                u = self.parent[u as usize];
            }
            if dv >= du {
                v = self.parent[v as usize];
            }
        }
        u
    }

    /// Drop the arc from `u_out` to its parent and hang the subtree so cut off from `v_in`
    /// through the entering arc `in_arc`, whose end in that subtree is `u_in` (`in_up`: the arc
    /// points `u_in → v_in`). `u_out` must be `u_in` or an ancestor of it below the apex.
    ///
    /// The path `u_in … u_out` is reversed: each of its nodes becomes the child of the one before
    /// it, through the arc that joined them, now seen from the other end. Then `visit` is called
    /// once for every node of the moved subtree, after its depth is updated (the simplex shifts
    /// their potentials there).
    pub fn rehang(&mut self, u_in: u32, v_in: u32, in_arc: u32, in_up: bool, u_out: u32, mut visit: impl FnMut(u32)) {
        let (mut node, mut new_parent, mut new_pred, mut new_up) = (u_in, v_in, in_arc, in_up);
        loop {
            let i = node as usize;
            let (old_parent, old_pred, old_up) = (self.parent[i], self.pred[i], self.up[i]);
            self.detach(node);
            self.parent[i] = new_parent;
            self.pred[i] = new_pred;
            self.up[i] = new_up;
            self.attach(node, new_parent);
            if node == u_out {
                break;
            }
            new_parent = node;
            new_pred = old_pred;
            new_up = !old_up;
            node = old_parent;
        }

        self.depth[u_in as usize] = self.depth[v_in as usize] + 1;
        self.stack.clear();
        self.stack.push(u_in);
        while let Some(u) = self.stack.pop() {
            visit(u);
            let d = self.depth[u as usize] + 1;
            let mut c = self.first_child[u as usize];
            while c != NONE {
                self.depth[c as usize] = d;
                self.stack.push(c);
                c = self.next_sibling[c as usize];
            }
        }
    }

    fn detach(&mut self, v: u32) {
        let i = v as usize;
        let (prev, next) = (self.prev_sibling[i], self.next_sibling[i]);
        if prev == NONE {
            let p = self.parent[i];
            if p != NONE {
                self.first_child[p as usize] = next;
            }
        } else {
            self.next_sibling[prev as usize] = next;
        }
        if next != NONE {
            self.prev_sibling[next as usize] = prev;
        }
        self.prev_sibling[i] = NONE;
        self.next_sibling[i] = NONE;
    }

    fn attach(&mut self, v: u32, p: u32) {
        let head = self.first_child[p as usize];
        self.next_sibling[v as usize] = head;
        self.prev_sibling[v as usize] = NONE;
        if head != NONE {
            self.prev_sibling[head as usize] = v;
        }
        self.first_child[p as usize] = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parent pointers, child lists and depths agree, and every node reaches the root.
    fn consistent(t: &Tree, root: u32) {
        let n = t.parent.len();
        let mut children_seen = 0;
        for p in 0..n {
            let mut c = t.first_child[p];
            let mut prev = NONE;
            while c != NONE {
                assert_eq!(t.parent[c as usize], p as u32, "child list of {p} holds {c}");
                assert_eq!(t.prev_sibling[c as usize], prev);
                assert_eq!(t.depth[c as usize], t.depth[p] + 1, "depth of {c}");
                children_seen += 1;
                prev = c;
                c = t.next_sibling[c as usize];
            }
        }
        assert_eq!(children_seen, n - 1, "every node but the root is someone's child");
        for v in 0..n as u32 {
            let mut u = v;
            let mut steps = 0;
            while u != root {
                u = t.parent[u as usize];
                steps += 1;
                assert!(steps <= n, "cycle through {v}");
            }
        }
    }

    #[test]
    fn rehang_reverses_the_stem_and_keeps_the_tree_consistent() {
        // Root 4; star 0..4 under it. Build a chain 4 ← 0 ← 1 ← 2 by re-hanging, then cut 0's
        // arc and hang the subtree {0, 1, 2} from 3 through 2.
        let mut t = Tree::star(4, 100, vec![true; 5]);
        consistent(&t, 4);
        t.rehang(1, 0, 10, true, 1, |_| {});
        t.rehang(2, 1, 11, false, 2, |_| {});
        consistent(&t, 4);
        assert_eq!(t.join(2, 3), 4);
        assert_eq!(t.join(2, 0), 0);
        let mut moved = Vec::new();
        t.rehang(2, 3, 12, true, 0, |v| moved.push(v));
        consistent(&t, 4);
        moved.sort_unstable();
        assert_eq!(moved, vec![0, 1, 2]);
        assert_eq!((t.parent[2], t.parent[1], t.parent[0]), (3, 2, 1));
        // 1's arc to 2 was 1 → 2 seen from 2 (down, `false` at 2): seen from 1 it points up.
        assert_eq!((t.pred[1], t.up[1]), (11, true));
        assert_eq!((t.pred[0], t.up[0]), (10, false));
        assert_eq!(t.depth[0], 4);
    }
}
