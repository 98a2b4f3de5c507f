//! Which libraries the component needs and in which order they are
//! instantiated: dependencies first (the `needed` lists and the libraries
//! whose symbols each one uses), cycles allowed. A library in a cycle may
//! be instantiated before a library it calls; those calls go through the
//! shared table (see `env`).

use std::collections::HashMap;

use super::dylink::Need;
use super::resolve::{DataAddress, FuncAddress, FuncProvider, Input, Resolution};

/// The libraries each library depends on, by index, in first-use order.
pub fn dependencies(libraries: &[Input<'_>], resolution: &Resolution) -> Vec<Vec<usize>> {
    let by_name: HashMap<&str, usize> = libraries
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name, i))
        .collect();
    libraries
        .iter()
        .enumerate()
        .map(|(index, library)| {
            let mut deps = Vec::new();
            let mut add = |dep: usize| {
                if dep != index && !deps.contains(&dep) {
                    deps.push(dep);
                }
            };
            for name in &library.info.needed {
                if let Some(&dep) = by_name.get(name.as_str()) {
                    add(dep);
                }
            }
            for import in &library.info.imports {
                let dep = match &import.need {
                    Need::Func { name, ty, .. } => match resolution.func(name, ty) {
                        Some(FuncProvider::Library(dep)) => Some(dep),
                        _ => None,
                    },
                    Need::FuncAddress { name, .. } => match resolution.func_address(name) {
                        Some(FuncAddress::Of(FuncProvider::Library(dep))) => Some(dep),
                        _ => None,
                    },
                    Need::DataAddress { name, .. } => {
                        match resolution.data_address(libraries, name) {
                            Some(DataAddress::Of { library, .. }) => Some(library),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                if let Some(dep) = dep {
                    add(dep);
                }
            }
            deps
        })
        .collect()
}

/// The libraries reachable from `roots` (those with world exports, the
/// dl-openable ones and programs with `_start`), in index order.
pub fn reachable(roots: &[bool], deps: &[Vec<usize>]) -> Vec<bool> {
    let mut seen = roots.to_vec();
    let mut pending: Vec<usize> = (0..roots.len()).filter(|&i| roots[i]).collect();
    while let Some(i) = pending.pop() {
        for &dep in deps.get(i).into_iter().flatten() {
            if let Some(false) = seen.get(dep) {
                seen[dep] = true;
                pending.push(dep);
            }
        }
    }
    seen
}

/// The instantiation order of the `included` libraries: every library
/// after its dependencies, except around cycles, where the libraries of
/// one cycle keep their command-line order. Tarjan's algorithm, with an
/// explicit stack: the input decides the depth.
pub fn load_order(included: &[bool], deps: &[Vec<usize>]) -> Vec<usize> {
    const UNVISITED: usize = usize::MAX;
    let n = included.len();
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut order = Vec::new();
    let no_deps = Vec::new();
    let deps_of = |v: usize| deps.get(v).unwrap_or(&no_deps);

    for root in 0..n {
        if !included[root] || index[root] != UNVISITED {
            continue;
        }
        // (library, how many of its dependencies were looked at)
        let mut frames: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = frames.last_mut() {
            if let Some(&w) = deps_of(v).get(*i) {
                *i += 1;
                if !included.get(w).copied().unwrap_or(false) {
                    continue;
                }
                if index[w] == UNVISITED {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    frames.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                order.extend(component);
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_come_first() {
        // 0 needs 1, 1 needs 2.
        let deps = vec![vec![1], vec![2], vec![]];
        assert_eq!(load_order(&[true; 3], &deps), vec![2, 1, 0]);
    }

    #[test]
    fn a_cycle_keeps_command_line_order() {
        // 0 -> 1 -> 2 -> 1, 2 -> 3
        let deps = vec![vec![1], vec![2], vec![1, 3], vec![]];
        assert_eq!(load_order(&[true; 4], &deps), vec![3, 1, 2, 0]);
    }

    #[test]
    fn independent_libraries_keep_their_order() {
        let deps = vec![vec![], vec![], vec![0]];
        assert_eq!(load_order(&[true; 3], &deps), vec![0, 1, 2]);
    }

    #[test]
    fn excluded_libraries_are_left_out() {
        let deps = vec![vec![1], vec![], vec![]];
        let reach = reachable(&[true, false, false], &deps);
        assert_eq!(reach, vec![true, true, false]);
        assert_eq!(load_order(&reach, &deps), vec![1, 0]);
    }

    #[test]
    fn a_long_chain_does_not_recurse() {
        let n = 100_000;
        let deps: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![] })
            .collect();
        let order = load_order(&vec![true; n], &deps);
        assert_eq!(order.first(), Some(&(n - 1)));
        assert_eq!(order.last(), Some(&0));
    }
}
