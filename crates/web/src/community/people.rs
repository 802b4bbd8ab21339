//! People's names are personal data: the public sees administrations and
//! counts, never who registered, wrote or coordinates. The rule is applied
//! to the data, not in templates: what a handler passes to a page for an
//! anonymous visitor, or to the public API, has had its names blanked by
//! [`Named::forget_names`], so a template that forgets to check cannot show
//! one.

use cantiere_store::community::{
    Account, Consultation, Meeting, Membership, Paged, Post, Proposal, Registration, Resource, Thread,
};

/// A value that holds people's names.
pub trait Named {
    /// Blanks every person's name (and e-mail) it holds.
    fn forget_names(&mut self);
}

macro_rules! named_by {
    ($field:ident: $($ty:ty),*) => {
        $(impl Named for $ty {
            fn forget_names(&mut self) {
                self.$field.clear();
            }
        })*
    };
}

named_by!(author: Meeting, Resource, Thread, Post, Consultation, Proposal);
named_by!(name: Membership, Registration);

impl Named for Account {
    fn forget_names(&mut self) {
        self.name.clear();
        self.email.clear();
    }
}

impl<T: Named> Named for Vec<T> {
    fn forget_names(&mut self) {
        self.iter_mut().for_each(Named::forget_names);
    }
}

impl<T: Named> Named for Paged<T> {
    fn forget_names(&mut self) {
        self.items.forget_names();
    }
}

/// `value` as a visitor may see it: whole when `signed_in`, else without names.
pub fn for_visitor<T: Named>(mut value: T, signed_in: bool) -> T {
    if !signed_in {
        value.forget_names();
    }
    value
}

/// `value` as the public API shows it: without names.
pub fn public<T: Named>(value: T) -> T {
    for_visitor(value, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_visitors_get_no_names() {
        let post = Post { id: 1, body: "text".into(), author: "Anna Rossi".into(), created_at: "2026-01-01".into() };
        let paged = Paged { items: vec![post.clone()], total: 1 };
        assert_eq!(for_visitor(paged.clone(), true).items[0].author, "Anna Rossi");
        let seen = for_visitor(paged, false);
        assert_eq!((seen.items[0].author.as_str(), seen.items[0].body.as_str(), seen.total), ("", "text", 1));
        assert_eq!(public(vec![post]).pop().unwrap().author, "");
    }
}
