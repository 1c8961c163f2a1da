//! SOP step 9: the priority table (Tabel Prioritas Penyelesaian Permasalahan SPSE).
//! The SOP names the table without giving it, so Loket keeps it as data that a supervisor edits.

use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;
use crate::text::has_bidi_control;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable code a form names (`password`).
    pub code: String,
    /// Name shown to people (Indonesian).
    pub name: String,
    /// 1 is the most urgent.
    pub priority: u8,
    /// Target minutes for analysis (step 9).
    pub analysis_minutes: u32,
    /// Target minutes until the problem is resolved (answered, or answered by LKPP).
    pub resolution_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityTable {
    pub categories: Vec<Category>,
    /// True while the table is the shipped example, not one an office has set.
    pub is_example: bool,
}

impl PriorityTable {
    /// An example table with real LPSE problem categories. The priorities and minutes are a
    /// starting point, labelled as an example until a supervisor replaces the table.
    pub fn default_example() -> PriorityTable {
        let c = |code: &str, name: &str, priority, analysis_minutes, resolution_minutes| Category {
            code: code.into(),
            name: name.into(),
            priority,
            analysis_minutes,
            resolution_minutes,
        };
        PriorityTable {
            categories: vec![
                c("registration", "Pendaftaran dan verifikasi akun", 2, 30, 60),
                c("password", "Lupa password / User ID", 1, 15, 30),
                c("offer_upload", "Unggah dan enkripsi dokumen penawaran (Apendo/SPAMKODOK)", 1, 30, 60),
                c("tender", "Proses dan jadwal tender", 2, 30, 120),
                c("e_purchasing", "E-purchasing / e-katalog", 2, 30, 120),
                c("sikap", "SIKaP (Sistem Informasi Kinerja Penyedia)", 3, 30, 240),
                c("other", "Lainnya", 3, 30, 480),
            ],
            is_example: true,
        }
    }

    pub fn find(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// A table a supervisor gives: codes unique and well-formed, names present, minutes positive.
    pub fn parse(categories: Vec<Category>) -> Result<PriorityTable, FieldErrors> {
        let mut errors = FieldErrors::default();
        if categories.is_empty() {
            errors.add("categories", "missing");
        }
        for (i, c) in categories.iter().enumerate() {
            let code_ok = !c.code.is_empty()
                && c.code.len() <= 40
                && c.code.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
            if !code_ok {
                errors.add(&format!("[{i}].code"), "invalid");
            }
            if categories[..i].iter().any(|o| o.code == c.code) {
                errors.add(&format!("[{i}].code"), "duplicate");
            }
            if c.name.trim().is_empty() || c.name.chars().count() > 120 || has_bidi_control(&c.name) {
                errors.add(&format!("[{i}].name"), "invalid");
            }
            if !(1..=9).contains(&c.priority) {
                errors.add(&format!("[{i}].priority"), "invalid");
            }
            if c.analysis_minutes == 0 || c.analysis_minutes > 100_000 {
                errors.add(&format!("[{i}].analysis_minutes"), "invalid");
            }
            if c.resolution_minutes == 0 || c.resolution_minutes > 1_000_000 {
                errors.add(&format!("[{i}].resolution_minutes"), "invalid");
            }
        }
        errors.into_result(PriorityTable { categories, is_example: false })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_is_marked_as_an_example() {
        let t = PriorityTable::default_example();
        assert!(t.is_example);
        assert!(t.find("offer_upload").is_some());
        assert!(t.find("other").is_some());
    }

    #[test]
    fn a_table_a_supervisor_sets_is_not_an_example() {
        let t = PriorityTable::parse(PriorityTable::default_example().categories).unwrap();
        assert!(!t.is_example);
    }

    #[test]
    fn duplicate_codes_and_zero_minutes_are_refused() {
        let mut cats = PriorityTable::default_example().categories;
        cats[1].code = cats[0].code.clone();
        cats[2].analysis_minutes = 0;
        let err = PriorityTable::parse(cats).unwrap_err();
        assert_eq!(err.0.get("[1].code").map(String::as_str), Some("duplicate"));
        assert_eq!(err.0.get("[2].analysis_minutes").map(String::as_str), Some("invalid"));
    }
}
