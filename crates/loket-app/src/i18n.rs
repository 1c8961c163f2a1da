//! The message catalogue of the pages and of what the application writes for people (tickets,
//! the visitor's status): Fluent files compiled into the binary, Indonesian by
//! default and English on request. Templates never hold UI text; they ask a [`Tr`] for it by key.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

const ID: &str = include_str!("../locales/id.ftl");
const EN: &str = include_str!("../locales/en.ftl");

/// A language the pages speak (with the formats of its numbers and dates).
pub use loket_domain::format::Lang;

struct Catalogue {
    id: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: &str, source: &str) -> Result<FluentBundle<FluentResource>, String> {
    let langid: LanguageIdentifier = lang.parse().map_err(|e| format!("{lang}: {e}"))?;
    let resource = FluentResource::try_new(source.to_owned()).map_err(|(_, e)| format!("{lang}.ftl: {e:?}"))?;
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Unicode isolation marks around arguments would end up inside HTML attributes and tests.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).map_err(|e| format!("{lang}.ftl: {e:?}"))?;
    Ok(bundle)
}

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    // The files are part of the binary and a unit test parses them, so this cannot fail at run
    // time unless the build itself is broken.
    CATALOGUE.get_or_init(|| match (bundle("id", ID), bundle("en", EN)) {
        (Ok(id), Ok(en)) => Catalogue { id, en },
        (Err(e), _) | (_, Err(e)) => panic!("the message catalogue does not parse: {e}"),
    })
}

/// Translates keys into one language. Cheap to copy; every view model holds one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let catalogue = catalogue();
        let bundle = match self.lang {
            Lang::Id => &catalogue.id,
            Lang::En => &catalogue.en,
        };
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, "missing message");
            return key.to_owned();
        };
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, args, &mut errors).into_owned()
    }

    /// The text of `key`.
    pub fn get(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The text of `key` with one argument.
    pub fn with(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), FluentValue::from(value.to_string()));
        self.format(key, Some(&args))
    }

    /// The text of `key` with two arguments.
    pub fn with2(
        &self,
        key: &str,
        a: &str,
        a_value: impl std::fmt::Display,
        b: &str,
        b_value: impl std::fmt::Display,
    ) -> String {
        let mut args = FluentArgs::new();
        args.set(a.to_owned(), FluentValue::from(a_value.to_string()));
        args.set(b.to_owned(), FluentValue::from(b_value.to_string()));
        self.format(key, Some(&args))
    }

    /// The text of `key` with any number of arguments.
    pub fn args(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set((*name).to_owned(), FluentValue::from(value.clone()));
        }
        self.format(key, Some(&fluent))
    }

    /// Whether the catalogue has `key` (field messages fall back to a general one).
    pub fn has(&self, key: &str) -> bool {
        let catalogue = catalogue();
        let bundle = match self.lang {
            Lang::Id => &catalogue.id,
            Lang::En => &catalogue.en,
        };
        bundle.has_message(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message ids of a catalogue file: each line that starts a message (`key = …`).
    fn ids(source: &str) -> Vec<String> {
        let mut ids: Vec<String> = source
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.to_owned()))
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        assert_eq!(ids(ID), ids(EN));
    }

    #[test]
    fn every_key_a_template_or_page_asks_for_exists() {
        let tr = Tr::new(Lang::Id);
        // The pages' templates and modules, and the application's own texts (tickets, status).
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/../loket-web/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/../loket-web/src/pages"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        ];
        let mut missing = Vec::new();
        for dir in dirs {
            for entry in std::fs::read_dir(dir).expect("dir") {
                let path = entry.expect("entry").path();
                let text = std::fs::read_to_string(&path).expect("file");
                for call in ["t.get(\"", "t.with(\"", "t.with2(\""] {
                    for part in text.split(call).skip(1) {
                        let key = part.split('"').next().unwrap_or_default();
                        if !key.is_empty() && !key.ends_with('-') && !tr.has(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys missing from the catalogue: {missing:#?}");
    }

    #[test]
    fn arguments_are_filled_in_without_isolation_marks() {
        let text = Tr::new(Lang::Id).with("login-throttled", "minutes", 15);
        assert_eq!(text, "Terlalu banyak percobaan, coba lagi dalam 15 menit");
    }

    #[test]
    fn english_is_english() {
        assert_eq!(Tr::new(Lang::En).get("login-submit"), "Sign in");
        assert_eq!(Tr::new(Lang::Id).get("login-submit"), "Masuk");
    }
}
