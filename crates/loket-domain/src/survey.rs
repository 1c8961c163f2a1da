//! The satisfaction survey (Survei Kepuasan Masyarakat, SKM) and its index (Indeks Kepuasan
//! Masyarakat, IKM), as PermenPANRB 14/2017 sets them: nine elements, each scored 1 to 4 with its
//! own answer labels; per element the average score (NRR), weighted 1/9; the index is their sum
//! times 25, graded A to D.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::history::EventKind;
use crate::{Event, FieldErrors, Status};

/// How long a survey link stays valid: long enough to answer at home from the visitor's copy.
pub const LINK_DAYS: u64 = 30;

/// The nine elements (unsur) of the survey, in the regulation's order (U1 to U9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Element {
    /// U1 Persyaratan.
    Requirements,
    /// U2 Sistem, mekanisme dan prosedur.
    Procedure,
    /// U3 Waktu penyelesaian.
    CompletionTime,
    /// U4 Biaya/tarif.
    Cost,
    /// U5 Produk spesifikasi jenis pelayanan.
    Product,
    /// U6 Kompetensi pelaksana.
    Competence,
    /// U7 Perilaku pelaksana.
    Conduct,
    /// U8 Penanganan pengaduan, saran dan masukan.
    Complaints,
    /// U9 Sarana dan prasarana.
    Facilities,
}

impl Element {
    pub const ALL: [Element; 9] = [
        Element::Requirements,
        Element::Procedure,
        Element::CompletionTime,
        Element::Cost,
        Element::Product,
        Element::Competence,
        Element::Conduct,
        Element::Complaints,
        Element::Facilities,
    ];

    /// The element's place, 0 for U1.
    pub fn index(self) -> usize {
        Element::ALL.iter().position(|e| *e == self).unwrap_or_default()
    }

    /// The regulation's code, `U1` to `U9`.
    pub fn code(self) -> String {
        format!("U{}", self.index() + 1)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Element::Requirements => "requirements",
            Element::Procedure => "procedure",
            Element::CompletionTime => "completion_time",
            Element::Cost => "cost",
            Element::Product => "product",
            Element::Competence => "competence",
            Element::Conduct => "conduct",
            Element::Complaints => "complaints",
            Element::Facilities => "facilities",
        }
    }
}

/// One answer: 1 (the worst) to 4 (the best).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "u8", into = "u8")]
pub struct Score(u8);

impl Score {
    pub fn new(value: u8) -> Option<Score> {
        (1..=4).contains(&value).then_some(Score(value))
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Score {
    type Error = String;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Score::new(value).ok_or_else(|| format!("a score is 1 to 4, not {value}"))
    }
}

impl From<Score> for u8 {
    fn from(score: Score) -> u8 {
        score.0
    }
}

/// The respondent's own data the regulation lists; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Respondent {
    pub age_group: Option<AgeGroup>,
    pub sex: Option<Sex>,
    pub education: Option<Education>,
    pub occupation: Option<Occupation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    #[serde(rename = "under_20")]
    Under20,
    #[serde(rename = "20_29")]
    From20To29,
    #[serde(rename = "30_39")]
    From30To39,
    #[serde(rename = "40_49")]
    From40To49,
    #[serde(rename = "50_59")]
    From50To59,
    #[serde(rename = "60_plus")]
    From60,
}

impl AgeGroup {
    pub const ALL: [AgeGroup; 6] = [
        AgeGroup::Under20,
        AgeGroup::From20To29,
        AgeGroup::From30To39,
        AgeGroup::From40To49,
        AgeGroup::From50To59,
        AgeGroup::From60,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub const ALL: [Sex; 2] = [Sex::Male, Sex::Female];
}

/// The education levels of the regulation's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Education {
    /// SD ke bawah.
    Primary,
    /// SMP.
    JuniorSecondary,
    /// SMA.
    SeniorSecondary,
    /// D1, D2, D3, D4.
    Diploma,
    /// S1.
    Bachelor,
    /// S2.
    Master,
    /// S3.
    Doctorate,
}

impl Education {
    pub const ALL: [Education; 7] = [
        Education::Primary,
        Education::JuniorSecondary,
        Education::SeniorSecondary,
        Education::Diploma,
        Education::Bachelor,
        Education::Master,
        Education::Doctorate,
    ];
}

/// The occupations of the regulation's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Occupation {
    /// PNS.
    CivilServant,
    /// TNI.
    Military,
    /// POLRI.
    Police,
    /// Swasta.
    Private,
    /// Wirausaha.
    SelfEmployed,
    /// Lainnya.
    Other,
}

impl Occupation {
    pub const ALL: [Occupation; 6] = [
        Occupation::CivilServant,
        Occupation::Military,
        Occupation::Police,
        Occupation::Private,
        Occupation::SelfEmployed,
        Occupation::Other,
    ];
}

/// The code of a respondent field's value as it is stored and sent (`20_29`, `female`).
pub fn code_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A respondent field's value read from its code; `None` for an unknown code.
pub fn from_code<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

impl Respondent {
    /// Reads the respondent fields of a form: each is optional (empty is not given), an unknown
    /// code is named.
    pub fn parse(
        age_group: Option<&str>,
        sex: Option<&str>,
        education: Option<&str>,
        occupation: Option<&str>,
    ) -> Result<Respondent, FieldErrors> {
        fn one<T: serde::de::DeserializeOwned>(field: &str, code: Option<&str>, errors: &mut FieldErrors) -> Option<T> {
            let code = code.map(str::trim).filter(|c| !c.is_empty())?;
            let value = from_code(code);
            if value.is_none() {
                errors.add(field, "invalid");
            }
            value
        }
        let mut errors = FieldErrors::default();
        let respondent = Respondent {
            age_group: one("age_group", age_group, &mut errors),
            sex: one("sex", sex, &mut errors),
            education: one("education", education, &mut errors),
            occupation: one("occupation", occupation, &mut errors),
        };
        errors.into_result(respondent)
    }
}

/// Whether a visit can be surveyed: once its visitor was served, that is once it was answered
/// (SOP step 10) or escalated (step 11), and from then on (archived, step 12). A visit never
/// served (cancelled, no-show, not served) or still being served cannot.
pub fn can_survey(status: Status) -> bool {
    matches!(status, Status::Answered | Status::Escalated | Status::Archived)
}

/// The staff member who served a visit: who answered or escalated it (steps 10-11), the first time.
pub fn served_by(history: &[Event]) -> Option<&str> {
    history.iter().find(|e| matches!(e.kind, EventKind::Answered | EventKind::Escalated)).map(|e| e.by.as_str())
}

/// The longest comment kept, in characters.
pub const COMMENT_MAX: usize = 2000;

/// One visitor's answers, as they submitted them: a score for every element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Answers {
    pub scores: [Score; 9],
    pub comment: Option<String>,
    #[serde(default)]
    pub respondent: Respondent,
}

impl Answers {
    /// Reads a submitted survey: every element needs a score from 1 to 4 (the regulation's index
    /// has no meaning over a partial answer), the comment is trimmed and optional.
    pub fn parse(
        scores: &[(Element, Option<u8>)],
        comment: Option<&str>,
        respondent: Respondent,
    ) -> Result<Answers, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut out = [Score(1); 9];
        for element in Element::ALL {
            let given = scores.iter().find(|(e, _)| *e == element).and_then(|(_, v)| *v);
            match given.map(Score::new) {
                None => errors.add(element.as_str(), "missing"),
                Some(None) => errors.add(element.as_str(), "invalid"),
                Some(Some(score)) => out[element.index()] = score,
            }
        }
        let comment = comment.map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
        if comment.as_ref().is_some_and(|c| c.chars().count() > COMMENT_MAX) {
            errors.add("comment", "too_long");
        }
        errors.into_result(Answers { scores: out, comment, respondent })
    }

    pub fn score(&self, element: Element) -> Score {
        self.scores[element.index()]
    }
}

/// What the index is computed from: how many responses, and the sum of the scores per element.
/// A database can add these up without holding any response in memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tally {
    pub responses: u64,
    pub sums: [u64; 9],
}

impl Tally {
    pub fn add(&mut self, answers: &Answers) {
        self.responses += 1;
        for (sum, score) in self.sums.iter_mut().zip(answers.scores) {
            *sum += u64::from(score.value());
        }
    }

    pub fn merge(mut self, other: Tally) -> Tally {
        self.responses += other.responses;
        for (a, b) in self.sums.iter_mut().zip(other.sums) {
            *a += b;
        }
        self
    }
}

impl<'a> FromIterator<&'a Answers> for Tally {
    fn from_iter<I: IntoIterator<Item = &'a Answers>>(iter: I) -> Tally {
        let mut tally = Tally::default();
        iter.into_iter().for_each(|a| tally.add(a));
        tally
    }
}

/// The grade (mutu pelayanan) of an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Grade {
    /// 88.31-100.00, sangat baik.
    A,
    /// 76.61-88.30, baik.
    B,
    /// 65.00-76.60, kurang baik.
    C,
    /// 25.00-64.99, tidak baik.
    D,
}

impl Grade {
    /// The grade of an index from 25 to 100. The regulation's intervals have two decimals, so the
    /// index is rounded to two decimals first (88.305 is 88.31, an A).
    pub fn of(index: f64) -> Grade {
        let hundredths = (index * 100.0).round() as i64;
        match hundredths {
            8831.. => Grade::A,
            7661.. => Grade::B,
            6500.. => Grade::C,
            _ => Grade::D,
        }
    }
}

/// One element's average (nilai rata-rata, NRR) and its weighted share.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct ElementScore {
    pub element: Element,
    /// U1 to U9.
    pub code: &'static str,
    /// The average score, 1 to 4.
    pub average: f64,
    /// The average times 1/9.
    pub weighted: f64,
    /// The average on the index's scale, times 25.
    pub index: f64,
}

/// The survey's index over some responses.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Ikm {
    pub responses: u64,
    pub elements: Vec<ElementScore>,
    /// The sum of the weighted averages, 1 to 4.
    pub value: f64,
    /// The value times 25: 25 to 100, rounded to two decimals.
    pub index: f64,
    pub grade: Grade,
    /// The responses needed for a sample that speaks for `population` visits, when it is known.
    pub sample_needed: Option<u64>,
    /// Whether there are fewer responses than that: the index is shown with a warning.
    pub sample_too_small: bool,
}

const CODES: [&str; 9] = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"];

impl Ikm {
    /// The index of a tally of responses out of `population` visits served in the period, or
    /// `None` without any response.
    pub fn of(tally: &Tally, population: Option<u64>) -> Option<Ikm> {
        if tally.responses == 0 {
            return None;
        }
        let n = tally.responses as f64;
        let elements: Vec<ElementScore> = Element::ALL
            .iter()
            .zip(tally.sums)
            .zip(CODES)
            .map(|((&element, sum), code)| {
                let average = sum as f64 / n;
                ElementScore { element, code, average, weighted: average / 9.0, index: round2(average * 25.0) }
            })
            .collect();
        let value: f64 = elements.iter().map(|e| e.weighted).sum();
        let index = round2(value * 25.0);
        let sample_needed = population.map(sample_needed);
        Some(Ikm {
            responses: tally.responses,
            elements,
            value,
            index,
            grade: Grade::of(index),
            sample_needed,
            sample_too_small: sample_needed.is_some_and(|needed| tally.responses < needed),
        })
    }
}

/// The sample size that speaks for a population at 95% confidence and a 5% margin, by Krejcie and
/// Morgan's formula (the table the regulation refers to): `χ²NP(1−P) / (d²(N−1) + χ²P(1−P))`
/// with χ² = 3.841, P = 0.5, d = 0.05, rounded to the nearest whole response as the published
/// table is (50 visits: 44.3, so 44). Never more than the population.
pub fn sample_needed(population: u64) -> u64 {
    if population == 0 {
        return 0;
    }
    let (chi2, p, d) = (3.841_f64, 0.5_f64, 0.05_f64);
    let n = population as f64;
    let needed = chi2 * n * p * (1.0 - p) / (d * d * (n - 1.0) + chi2 * p * (1.0 - p));
    (needed.round() as u64).min(population)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn answers(scores: [u8; 9]) -> Answers {
        let given: Vec<(Element, Option<u8>)> = Element::ALL.iter().zip(scores).map(|(e, s)| (*e, Some(s))).collect();
        Answers::parse(&given, None, Respondent::default()).expect("valid scores")
    }

    #[test]
    fn the_worked_example_equals_the_hand_computation() {
        // Four respondents. Per element the sums are
        // U1 4+3+3+4=14, U2 3+3+3+3=12, U3 2+3+4+3=12, U4 4+4+4+4=16, U5 3+2+3+3=11,
        // U6 4+4+3+3=14, U7 4+4+4+3=15, U8 1+2+3+4=10, U9 3+3+2+3=11: 115 in all.
        // The averages: 3.5, 3, 3, 4, 2.75, 3.5, 3.75, 2.5, 2.75; weighted by 1/9 they add up to
        // 28.75 / 9 = 3.19444...; times 25: 79.8611... -> 79.86, a B.
        let tally: Tally = [
            answers([4, 3, 2, 4, 3, 4, 4, 1, 3]),
            answers([3, 3, 3, 4, 2, 4, 4, 2, 3]),
            answers([3, 3, 4, 4, 3, 3, 4, 3, 2]),
            answers([4, 3, 3, 4, 3, 3, 3, 4, 3]),
        ]
        .iter()
        .collect();
        assert_eq!(tally.sums, [14, 12, 12, 16, 11, 14, 15, 10, 11]);
        let ikm = Ikm::of(&tally, None).expect("responses");
        assert_eq!(ikm.elements[0].average, 3.5);
        assert_eq!(ikm.elements[7].average, 2.5);
        assert_eq!(ikm.elements[7].index, 62.5);
        assert!((ikm.value - 28.75 / 9.0).abs() < 1e-12);
        assert_eq!(ikm.index, 79.86);
        assert_eq!(ikm.grade, Grade::B);
        assert_eq!(ikm.elements[8].code, "U9");
    }

    #[test]
    fn grade_boundaries_follow_the_regulation_to_the_hundredth() {
        assert_eq!(Grade::of(100.0), Grade::A);
        assert_eq!(Grade::of(88.31), Grade::A);
        assert_eq!(Grade::of(88.305), Grade::A);
        assert_eq!(Grade::of(88.30), Grade::B);
        assert_eq!(Grade::of(88.304), Grade::B);
        assert_eq!(Grade::of(76.61), Grade::B);
        assert_eq!(Grade::of(76.60), Grade::C);
        assert_eq!(Grade::of(65.00), Grade::C);
        assert_eq!(Grade::of(64.99), Grade::D);
        assert_eq!(Grade::of(25.0), Grade::D);
    }

    #[test]
    fn all_fours_is_a_hundred_and_all_ones_twenty_five() {
        let best: Tally = [answers([4; 9])].iter().collect();
        let worst: Tally = [answers([1; 9])].iter().collect();
        assert_eq!(Ikm::of(&best, None).map(|i| (i.index, i.grade)), Some((100.0, Grade::A)));
        assert_eq!(Ikm::of(&worst, None).map(|i| (i.index, i.grade)), Some((25.0, Grade::D)));
    }

    #[test]
    fn no_response_has_no_index() {
        assert_eq!(Ikm::of(&Tally::default(), Some(10)), None);
    }

    #[test]
    fn a_missing_or_out_of_range_score_is_named() {
        let mut given: Vec<(Element, Option<u8>)> = Element::ALL.iter().map(|e| (*e, Some(3))).collect();
        given[2].1 = None;
        given[5].1 = Some(5);
        let errors = Answers::parse(&given, Some("  "), Respondent::default()).expect_err("two problems");
        assert_eq!(errors.0.get("completion_time").map(String::as_str), Some("missing"));
        assert_eq!(errors.0.get("competence").map(String::as_str), Some("invalid"));
        let long = "x".repeat(COMMENT_MAX + 1);
        let given: Vec<(Element, Option<u8>)> = Element::ALL.iter().map(|e| (*e, Some(3))).collect();
        let errors = Answers::parse(&given, Some(&long), Respondent::default()).expect_err("too long");
        assert_eq!(errors.0.get("comment").map(String::as_str), Some("too_long"));
    }

    #[test]
    fn respondent_fields_are_optional_and_unknown_codes_named() {
        assert_eq!(Respondent::parse(None, Some(""), None, None), Ok(Respondent::default()));
        let r = Respondent::parse(Some("20_29"), Some("female"), Some("bachelor"), Some("private")).expect("valid");
        assert_eq!(r.age_group, Some(AgeGroup::From20To29));
        assert_eq!(r.occupation, Some(Occupation::Private));
        assert_eq!(code_of(&AgeGroup::From60), "60_plus");
        let errors = Respondent::parse(Some("7"), None, None, Some("pilot")).expect_err("two unknown codes");
        assert_eq!(errors.0.len(), 2);
        for a in AgeGroup::ALL {
            assert_eq!(from_code::<AgeGroup>(&code_of(&a)), Some(a));
        }
        for e in Education::ALL {
            assert_eq!(from_code::<Education>(&code_of(&e)), Some(e));
        }
    }

    #[test]
    fn only_a_served_visit_can_be_surveyed() {
        for status in Status::ALL {
            let expected = matches!(status, Status::Answered | Status::Escalated | Status::Archived);
            assert_eq!(can_survey(status), expected, "{status:?}");
        }
    }

    #[test]
    fn sample_sizes_match_the_krejcie_morgan_table() {
        // Entries of the published table.
        for (population, needed) in [(10, 10), (50, 44), (100, 80), (200, 132), (500, 217), (1000, 278), (10_000, 370)]
        {
            assert_eq!(sample_needed(population), needed, "population {population}");
        }
        assert_eq!(sample_needed(0), 0);
    }

    #[test]
    fn a_small_sample_is_flagged() {
        let tally: Tally = [answers([3; 9]), answers([4; 9])].iter().collect();
        let ikm = Ikm::of(&tally, Some(100)).expect("responses");
        assert_eq!(ikm.sample_needed, Some(80));
        assert!(ikm.sample_too_small);
        let ikm = Ikm::of(&tally, Some(2)).expect("responses");
        assert!(!ikm.sample_too_small);
    }

    proptest! {
        /// The index of any set of answers lies between 25 and 100, and adding the tallies of two
        /// groups gives the same index as tallying them together.
        #[test]
        fn the_index_is_bounded_and_tallies_add_up(
            a in proptest::collection::vec(proptest::array::uniform9(1u8..=4), 1..20),
            b in proptest::collection::vec(proptest::array::uniform9(1u8..=4), 1..20),
        ) {
            let a: Vec<Answers> = a.into_iter().map(answers).collect();
            let b: Vec<Answers> = b.into_iter().map(answers).collect();
            let together: Tally = a.iter().chain(b.iter()).collect();
            let merged = a.iter().collect::<Tally>().merge(b.iter().collect());
            prop_assert_eq!(together, merged);
            let ikm = Ikm::of(&together, None).expect("responses");
            prop_assert!((25.0..=100.0).contains(&ikm.index));
        }
    }
}
