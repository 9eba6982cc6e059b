//! Phase 1, **match**, its shared core: the path matching that REST resources
//! (`rest::router`) and HTTP API route keys (`http_api::router`) share — a trie of path
//! segments, walked depth first with backtracking.
//!
//! Both kinds of API match a path the same way (spec 4.2, 5.9): at each segment a static
//! segment beats `{param}`, which beats a greedy `{name+}` that takes the rest of the path
//! (at least one segment). They differ in which nodes count as a match — any resource for
//! REST, one declaring the request's method for HTTP APIs — so the trie only stores route
//! indices per node and lets the caller decide through an `accepts` predicate. Kept in one
//! place so that the two routers cannot drift apart on precedence or backtracking; the
//! gateway compares a REST and an HTTP API template by the same precedence
//! ([`specificity`]).

use std::cmp::Ordering;

/// A segment of a path template.
pub(crate) enum Segment<'a> {
    /// A literal segment, matched exactly (case-sensitive).
    Static(&'a str),
    /// `{name}`: exactly one non-empty request segment.
    Param(&'a str),
    /// `{name+}`: the rest of the request path, at least one segment; last only.
    Greedy(&'a str),
}

impl Segment<'_> {
    /// Specificity rank, in the order [`PathTrie::find`] tries children: lower is more
    /// specific.
    fn rank(&self) -> u8 {
        match self {
            Segment::Static(_) => 0,
            Segment::Param(_) => 1,
            Segment::Greedy(_) => 2,
        }
    }
}

fn parse_segment(segment: &str) -> Segment<'_> {
    match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        Some(inner) => match inner.strip_suffix('+') {
            Some(name) => Segment::Greedy(name),
            None => Segment::Param(inner),
        },
        None => Segment::Static(segment),
    }
}

/// The segments of a path template (`/` → none; empty segments are ignored).
pub(crate) fn segments(template: &str) -> impl Iterator<Item = Segment<'_>> {
    template
        .split('/')
        .filter(|s| !s.is_empty())
        .map(parse_segment)
}

/// Which of two path templates that both match a request is more specific: compared segment
/// by segment, static before `{param}` before greedy.
pub(crate) fn specificity(a: &str, b: &str) -> Ordering {
    let mut a = segments(a);
    let mut b = segments(b);
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) => match x.rank().cmp(&y.rank()) {
                Ordering::Equal => continue,
                other => return other,
            },
            // Both matched the same request, so the longer one has more fixed segments.
            (Some(_), None) => return Ordering::Less,
            (None, Some(_)) => return Ordering::Greater,
            (None, None) => return Ordering::Equal,
        }
    }
}

/// The parameter names of a path template (`{id}` → `id`, `{proxy+}` → `proxy`), in the
/// order [`PathTrie::find`] captures their values.
pub(crate) fn param_names(template: &str) -> Vec<Box<str>> {
    segments(template)
        .filter_map(|s| match s {
            Segment::Param(n) | Segment::Greedy(n) => Some(n.into()),
            Segment::Static(_) => None,
        })
        .collect()
}

/// A greedy `{name+}` that is not the last segment of its template, which API Gateway
/// refuses; each router words the refusal for its own kind of API.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct GreedyNotLast<'a> {
    /// The greedy parameter's name, without braces and `+`.
    pub name: &'a str,
}

/// Path templates in segment shape: templates that differ only in parameter names share a
/// node, which is how a router sees that two of them are the same path.
#[derive(Debug)]
pub(crate) struct PathTrie {
    /// Node 0 is the root (the template `/`).
    nodes: Vec<TrieNode>,
}

#[derive(Debug, Default)]
struct TrieNode {
    /// Static children, sorted by segment for binary search.
    statics: Vec<(Box<str>, usize)>,
    param: Option<usize>,
    greedy: Option<usize>,
    /// The caller's route indices ending at this node, in insertion order.
    routes: Vec<usize>,
}

const ROOT: usize = 0;

impl Default for PathTrie {
    fn default() -> Self {
        PathTrie {
            nodes: vec![TrieNode::default()],
        }
    }
}

impl PathTrie {
    /// Walks (creating as needed) the nodes of `template` and returns its node.
    pub(crate) fn insert<'a>(&mut self, template: &'a str) -> Result<usize, GreedyNotLast<'a>> {
        let mut node = ROOT;
        let mut rest = segments(template).peekable();
        while let Some(segment) = rest.next() {
            // The index a child gets if this segment needs a new one.
            let fresh = self.nodes.len();
            let here = &mut self.nodes[node];
            let child = match segment {
                Segment::Static(s) => match here.statics.binary_search_by(|(k, _)| (**k).cmp(s)) {
                    Ok(i) => here.statics[i].1,
                    Err(at) => {
                        here.statics.insert(at, (s.into(), fresh));
                        fresh
                    }
                },
                Segment::Param(_) => *here.param.get_or_insert(fresh),
                Segment::Greedy(name) => {
                    if rest.peek().is_some() {
                        return Err(GreedyNotLast { name });
                    }
                    *here.greedy.get_or_insert(fresh)
                }
            };
            if child == fresh {
                self.nodes.push(TrieNode::default());
            }
            node = child;
        }
        Ok(node)
    }

    /// The route indices added at `node`, in the order they were added.
    pub(crate) fn routes(&self, node: usize) -> &[usize] {
        &self.nodes[node].routes
    }

    /// Records that route `route` (an index into the caller's own list) ends at `node`.
    pub(crate) fn add_route(&mut self, node: usize, route: usize) {
        self.nodes[node].routes.push(route);
    }

    /// The most specific node matching `trimmed` (a request path without leading and
    /// trailing slashes; empty for the root) that `accepts`, with the raw values of the
    /// parameters on the way pushed onto `values` in segment order.
    ///
    /// Inner empty segments match only inside a greedy parameter (`a//b` is kept there). On
    /// `None`, `values` is as it was: a failed branch pops what it pushed, so a request costs
    /// no allocation beyond `values` itself.
    pub(crate) fn find<'p>(
        &self,
        trimmed: &'p str,
        values: &mut Vec<&'p str>,
        accepts: &dyn Fn(usize) -> bool,
    ) -> Option<usize> {
        if trimmed.is_empty() {
            accepts(ROOT).then_some(ROOT)
        } else {
            self.walk(ROOT, trimmed, values, accepts)
        }
    }

    /// Depth-first search for the most specific node matching `rest` (non-empty) below
    /// `node` that `accepts`; pushes captured values and pops them again when a branch fails.
    fn walk<'p>(
        &self,
        node: usize,
        rest: &'p str,
        values: &mut Vec<&'p str>,
        accepts: &dyn Fn(usize) -> bool,
    ) -> Option<usize> {
        let here = &self.nodes[node];
        let (segment, tail) = match rest.split_once('/') {
            Some((segment, tail)) => (segment, Some(tail)),
            None => (rest, None),
        };
        let descend = |child: usize, values: &mut Vec<&'p str>| match tail {
            None => accepts(child).then_some(child),
            Some(tail) => self.walk(child, tail, values, accepts),
        };
        if let Ok(i) = here.statics.binary_search_by(|(k, _)| (**k).cmp(segment))
            && let Some(found) = descend(here.statics[i].1, values)
        {
            return Some(found);
        }
        if let Some(child) = here.param
            && !segment.is_empty()
        {
            values.push(segment);
            if let Some(found) = descend(child, values) {
                return Some(found);
            }
            values.pop();
        }
        if let Some(child) = here.greedy
            && accepts(child)
        {
            values.push(rest);
            return Some(child);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trie holding `templates`, each as route index = its position.
    fn trie(templates: &[&str]) -> PathTrie {
        let mut trie = PathTrie::default();
        for (i, template) in templates.iter().enumerate() {
            let node = trie.insert(template).expect("valid template");
            trie.add_route(node, i);
        }
        trie
    }

    /// The template `trimmed` reaches among those `accepts` (by template), with the values.
    fn lookup<'t, 'p>(
        templates: &[&'t str],
        trie: &PathTrie,
        trimmed: &'p str,
        accepts: &dyn Fn(&str) -> bool,
    ) -> Option<(&'t str, Vec<&'p str>)> {
        let mut values = Vec::new();
        let accepts = |node: usize| trie.routes(node).iter().any(|&r| accepts(templates[r]));
        let found = trie.find(trimmed, &mut values, &accepts);
        if found.is_none() {
            assert!(
                values.is_empty(),
                "{trimmed}: values left behind: {values:?}"
            );
        }
        found.map(|node| (templates[trie.routes(node)[0]], values))
    }

    /// `(request path without outer slashes, Some((template, values)) or None)`.
    type Case<'a> = (&'a str, Option<(&'a str, &'a [&'a str])>);

    fn check(templates: &[&str], cases: &[Case<'_>]) {
        let mut reversed = templates.to_vec();
        reversed.reverse();
        // Insertion order must not matter: same answers with the templates reversed.
        for order in [templates, &reversed[..]] {
            let trie = trie(order);
            for &(path, want) in cases {
                let got = lookup(order, &trie, path, &|_| true);
                let want = want.map(|(t, v)| (t, v.to_vec()));
                assert_eq!(got, want, "{path} with {order:?}");
            }
        }
    }

    #[test]
    fn static_beats_param_beats_greedy_in_any_insertion_order() {
        check(
            &["/", "/a", "/a/b", "/a/{x}", "/a/{x+}", "/{p}/b"],
            &[
                ("", Some(("/", &[]))),
                ("a", Some(("/a", &[]))),
                ("a/b", Some(("/a/b", &[]))),
                ("a/c", Some(("/a/{x}", &["c"]))),
                ("a/c/d", Some(("/a/{x+}", &["c/d"]))),
                ("z/b", Some(("/{p}/b", &["z"]))),
                ("z", None),
                ("z/c", None),
            ],
        );
    }

    #[test]
    fn dead_ends_back_up_and_drop_their_values() {
        check(
            &["/a/b/c", "/a/{x}/d", "/{p}/{q}/e", "/{rest+}"],
            &[
                ("a/b/c", Some(("/a/b/c", &[]))),
                // `a/b` has no `d` child: back up to `a/{x}`.
                ("a/b/d", Some(("/a/{x}/d", &["b"]))),
                // Neither `a/b` nor `a/{x}` has `e`: back up to the root's `{p}`.
                ("a/b/e", Some(("/{p}/{q}/e", &["a", "b"]))),
                // Every branch fails: the greedy root takes it all, values from the dead
                // ends popped.
                ("a/b/f", Some(("/{rest+}", &["a/b/f"]))),
                // A prefix node with no route of its own is no match.
                ("a/b", Some(("/{rest+}", &["a/b"]))),
            ],
        );
    }

    #[test]
    fn greedy_needs_a_segment_and_keeps_inner_slashes() {
        check(
            &["/{p+}", "/a/{x}/b"],
            &[
                ("", None),
                ("x", Some(("/{p+}", &["x"]))),
                ("x//y", Some(("/{p+}", &["x//y"]))),
                // `{x}` needs a non-empty segment; the greedy parameter keeps the empty one.
                ("a//b", Some(("/{p+}", &["a//b"]))),
            ],
        );
    }

    #[test]
    fn accepts_decides_which_nodes_match() {
        let templates = ["/a/{x}", "/{p+}"];
        let trie = trie(&templates);
        let not_param = |t: &str| t != "/a/{x}";
        assert_eq!(
            lookup(&templates, &trie, "a/1", &not_param),
            Some(("/{p+}", vec!["a/1"]))
        );
        assert_eq!(lookup(&templates, &trie, "a/1", &|_| false), None);
    }

    #[test]
    fn same_shape_shares_a_node_and_greedy_must_be_last() {
        let mut trie = PathTrie::default();
        for (a, b, same) in [
            ("/a/{x}", "/a/{y}", true),
            ("/{p+}", "/{q+}", true),
            ("/", "", true),
            ("/a/", "//a", true),
            ("/a/{x}", "/a/x", false),
            ("/{p}", "/{p+}", false),
        ] {
            let (a_node, b_node) = (trie.insert(a), trie.insert(b));
            assert_eq!(a_node == b_node, same, "{a} vs {b}");
        }
        for (template, name) in [("/{p+}/x", "p"), ("/a/{rest+}/{id}", "rest")] {
            assert_eq!(
                trie.insert(template),
                Err(GreedyNotLast { name }),
                "{template}"
            );
        }
    }
}
