//! The three security questions: reading which are set, setting them, and answering them for
//! a reset.
//!
//! Documented (isapi.md §8.2): `GET/PUT /ISAPI/Security/questionConfiguration` with
//! `SecurityQuestion/QuestionList/Question{id, answer, mark}` plus the admin `password`; `answer`
//! is write-only, `mark` read-only (set or not). Inferred: the reset request
//! (`PUT /ISAPI/Security/questionCertification`, unauthenticated) reuses the same document with
//! the answers and the *new* admin password, plus `syncIPCPassword` when an NVR should push the
//! new password to its cameras.

use serde::Serialize;

use super::caps::LenLimit;
use crate::error::{Error, Result};
use crate::keys::Secret;
use crate::xml::{Element, fmt_bool};

/// `GET`/`PUT` the configured questions here.
pub const CONFIG_PATH: &str = "/ISAPI/Security/questionConfiguration";
/// `PUT` answers and a new password here to reset (method inferred).
pub const CERTIFICATION_PATH: &str = "/ISAPI/Security/questionCertification";
/// How many questions a device keeps.
pub const QUESTION_COUNT: usize = 3;
/// Longest answer when the device does not say (`SecurityAnswerLenLimit max="128"` on real devices).
pub const DEFAULT_MAX_ANSWER: usize = 128;

/// One configured question as the device reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionStatus {
    /// The question's id in the device's list.
    pub id: u32,
    /// `mark`: whether an answer is set.
    pub configured: bool,
}

/// The `SecurityQuestion` document as read with `GET` (answers are never returned).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityQuestions {
    /// The questions, in document order.
    pub questions: Vec<QuestionStatus>,
    /// The namespace the device used (echoed on writes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl SecurityQuestions {
    /// Parses the document.
    pub fn from_xml(input: &[u8]) -> Result<Self> {
        Self::from_element(&Element::parse(input)?)
    }

    /// Decodes `SecurityQuestion` (a `Question` without `mark` counts as not set).
    pub fn from_element(el: &Element) -> Result<Self> {
        if el.name != "SecurityQuestion" {
            return Err(Error::decode(
                "SecurityQuestion",
                format!("expected <SecurityQuestion>, found <{}>", el.name),
            ));
        }
        let list = el.child("QuestionList").unwrap_or(el);
        let questions = list
            .children_named("Question")
            .filter_map(|q| {
                Some(QuestionStatus {
                    id: q.num_at("id")?,
                    configured: q.bool_at("mark").unwrap_or(false),
                })
            })
            .collect();
        Ok(Self {
            questions,
            namespace: el.namespace().map(str::to_owned),
        })
    }

    /// How many questions have an answer set.
    pub fn configured_count(&self) -> usize {
        self.questions.iter().filter(|q| q.configured).count()
    }

    /// The ids of the questions that have an answer set.
    pub fn configured_ids(&self) -> Vec<u32> {
        self.questions
            .iter()
            .filter(|q| q.configured)
            .map(|q| q.id)
            .collect()
    }

    /// Builds the `GET` answer (for the simulator).
    pub fn to_element(&self, namespace: Option<&str>) -> Element {
        let mut list = Element::new("QuestionList");
        for q in &self.questions {
            list = list.push(
                Element::new("Question")
                    .push_text("id", q.id.to_string())
                    .push_text("mark", fmt_bool(q.configured)),
            );
        }
        let mut el = Element::new("SecurityQuestion");
        if let Some(ns) = namespace {
            el = el.with_namespace(ns);
        }
        el.push(list)
    }
}

/// A question id and its answer (the answer is a [`Secret`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionAnswer {
    /// The question's id in the device's list.
    pub id: u32,
    /// The answer.
    pub answer: Secret,
}

impl QuestionAnswer {
    /// Pairs an id with an answer.
    pub fn new(id: u32, answer: impl Into<Secret>) -> Self {
        Self {
            id,
            answer: answer.into(),
        }
    }

    /// Reads the answers of a `SecurityQuestion` request (device side; the values are taken as
    /// sent, so a caller that enabled field encryption must decrypt them itself).
    pub fn list_from_element(el: &Element) -> Vec<Self> {
        let list = el.child("QuestionList").unwrap_or(el);
        list.children_named("Question")
            .filter_map(|q| {
                Some(Self::new(
                    q.num_at("id")?,
                    q.text_at("answer").unwrap_or(""),
                ))
            })
            .collect()
    }
}

/// Checks answers before anything is sent: ids distinct and non-zero, answers non-empty and
/// within `limit` (default 1–128 bytes), and `exactly` answers when given (else 1 to 3).
///
/// Errors name the question id, never the answer.
pub fn validate_answers(
    answers: &[QuestionAnswer],
    limit: Option<LenLimit>,
    exactly: Option<usize>,
) -> Result<()> {
    match exactly {
        Some(n) if answers.len() != n => {
            return Err(Error::invalid(format!(
                "{n} security answers are needed, {} were given",
                answers.len()
            )));
        }
        None if answers.is_empty() || answers.len() > QUESTION_COUNT => {
            return Err(Error::invalid(format!(
                "1 to {QUESTION_COUNT} security answers are needed, {} were given",
                answers.len()
            )));
        }
        _ => {}
    }
    let limit = limit.unwrap_or(LenLimit {
        min: Some(1),
        max: Some(DEFAULT_MAX_ANSWER as u32),
    });
    for (i, a) in answers.iter().enumerate() {
        if a.id == 0 {
            return Err(Error::invalid("security question ids start at 1"));
        }
        if answers[..i].iter().any(|b| b.id == a.id) {
            return Err(Error::invalid(format!(
                "security question {} is answered twice",
                a.id
            )));
        }
        if a.answer.expose().trim().is_empty() {
            return Err(Error::invalid(format!(
                "the answer to security question {} is empty",
                a.id
            )));
        }
        if !limit.contains(a.answer.len()) {
            return Err(Error::invalid(format!(
                "the answer to security question {} has {} bytes; the device accepts {}–{}",
                a.id,
                a.answer.len(),
                limit.min.unwrap_or(1),
                limit
                    .max
                    .map_or_else(|| "any".to_owned(), |m| m.to_string())
            )));
        }
    }
    Ok(())
}

fn question_list(answers: &[QuestionAnswer], encode: &dyn Fn(&str) -> String) -> Element {
    let mut list = Element::new("QuestionList");
    for a in answers {
        list = list.push(
            Element::new("Question")
                .push_text("id", a.id.to_string())
                .push_text("answer", encode(a.answer.expose())),
        );
    }
    list
}

/// The `PUT questionConfiguration` body: the answers and the current admin password, each
/// passed through `encode` (the `security=1` field cipher when in use, else unchanged).
pub fn configuration_body(
    answers: &[QuestionAnswer],
    admin_password: &Secret,
    encode: &dyn Fn(&str) -> String,
    namespace: Option<&str>,
) -> Element {
    let mut el = Element::new("SecurityQuestion");
    if let Some(ns) = namespace {
        el = el.with_namespace(ns);
    }
    el.push(question_list(answers, encode))
        .push_text("password", encode(admin_password.expose()))
}

/// The reset body for `questionCertification` (inferred): answers, the new admin password, and
/// `syncIPCPassword` when asked.
pub fn certification_body(
    answers: &[QuestionAnswer],
    new_password: &Secret,
    sync_camera_passwords: bool,
    namespace: Option<&str>,
) -> Element {
    let plain = |s: &str| s.to_owned();
    let mut el = Element::new("SecurityQuestion");
    if let Some(ns) = namespace {
        el = el.with_namespace(ns);
    }
    el = el
        .push(question_list(answers, &plain))
        .push_text("password", new_password.expose());
    if sync_camera_passwords {
        el = el.push_text("syncIPCPassword", "true");
    }
    el
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> Vec<QuestionAnswer> {
        vec![
            QuestionAnswer::new(1, "Rex"),
            QuestionAnswer::new(4, "Lisbon"),
            QuestionAnswer::new(7, "blue"),
        ]
    }

    #[test]
    fn read_marks() {
        let doc = br#"<SecurityQuestion version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><QuestionList><Question><id>1</id><mark>true</mark></Question><Question><id>4</id><mark>flase</mark></Question><Question><id>7</id></Question></QuestionList></SecurityQuestion>"#;
        let q = SecurityQuestions::from_xml(doc).unwrap();
        assert_eq!(q.questions.len(), 3);
        assert_eq!(q.configured_count(), 1);
        assert_eq!(q.configured_ids(), vec![1]);
        let again = SecurityQuestions::from_element(&q.to_element(q.namespace.as_deref())).unwrap();
        assert_eq!(again, q);
        assert!(SecurityQuestions::from_xml(b"<Other/>").is_err());
    }

    #[test]
    fn validation_table() {
        let ok = three();
        assert!(validate_answers(&ok, None, Some(3)).is_ok());
        assert!(validate_answers(&ok[..1], None, None).is_ok());
        let long = "x".repeat(129);
        let cases: Vec<(Vec<QuestionAnswer>, Option<usize>)> = vec![
            (ok[..2].to_vec(), Some(3)),
            (vec![], None),
            ([ok.clone(), ok.clone()].concat(), None),
            (
                vec![
                    QuestionAnswer::new(1, "a"),
                    QuestionAnswer::new(1, "b"),
                    QuestionAnswer::new(2, "c"),
                ],
                Some(3),
            ),
            (vec![QuestionAnswer::new(0, "a")], None),
            (vec![QuestionAnswer::new(2, "  ")], None),
            (vec![QuestionAnswer::new(2, long.as_str())], None),
        ];
        for (answers, exactly) in cases {
            let err = validate_answers(&answers, None, exactly).unwrap_err();
            assert!(matches!(err, Error::InvalidInput(_)), "{err}");
            for a in &answers {
                assert!(
                    a.answer.len() < 3 || !err.to_string().contains(a.answer.expose()),
                    "{err}"
                );
            }
        }
        let tight = LenLimit {
            min: Some(1),
            max: Some(3),
        };
        assert!(validate_answers(&[QuestionAnswer::new(1, "abcd")], Some(tight), None).is_err());
    }

    #[test]
    fn bodies() {
        let enc = |s: &str| format!("<{}>", s.len());
        let body = configuration_body(
            &three(),
            &Secret::new("Adm1nPass!"),
            &enc,
            Some(crate::xml::ns::HIKVISION_V20),
        );
        assert_eq!(body.namespace(), Some(crate::xml::ns::HIKVISION_V20));
        assert_eq!(body.text_at("password"), Some("<10>"));
        let answers = QuestionAnswer::list_from_element(&body);
        assert_eq!(
            answers.iter().map(|a| a.id).collect::<Vec<_>>(),
            vec![1, 4, 7]
        );
        assert_eq!(answers[1].answer.expose(), "<6>");

        let reset = certification_body(&three(), &Secret::new("N3wPassword!"), true, None);
        let parsed = Element::parse(reset.to_xml().as_bytes()).unwrap();
        assert_eq!(parsed.text_at("password"), Some("N3wPassword!"));
        assert_eq!(parsed.bool_at("syncIPCPassword"), Some(true));
        assert_eq!(
            QuestionAnswer::list_from_element(&parsed)[2]
                .answer
                .expose(),
            "blue"
        );
        assert!(
            certification_body(&three(), &Secret::new("x"), false, None)
                .text_at("syncIPCPassword")
                .is_none()
        );
    }
}
