//! Rules about the verification code and the device label.
//!
//! Codes are secrets: evidence describes how two codes differ, never what they are.
//! Whether devices compare codes case-sensitively is not documented; hikproto treats them as
//! case-sensitive (the code is also the stream-encryption key), so a case-only difference is a
//! finding of its own (inferred).

use serde::Serialize;

use super::super::facts::{BindStatus, Facts};
use super::super::finding::{Confidence, Finding, FixAction, Step};
use super::super::policy::Policy;
use super::super::remedy::{self, UI_PLATFORM, call};
use super::{SYMPTOMS, ids, not_registered, show};

/// How a supplied code differs from another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CodeDiff {
    /// Identical.
    Same,
    /// Identical once leading/trailing spaces are removed.
    Whitespace,
    /// Identical except for letter case.
    Case,
    /// Identical once look-alike characters (0/O, 1/I/l, 2/Z, 5/S, 6/G, 8/B) and inner spaces or
    /// dashes are treated as the same.
    LookAlike,
    /// Different.
    Different,
}

/// The character class a look-alike belongs to.
fn canon(c: char) -> Option<char> {
    if c.is_whitespace() || c == '-' {
        return None;
    }
    Some(match c.to_ascii_uppercase() {
        'O' | 'Q' => '0',
        'I' | 'L' | '|' => '1',
        'Z' => '2',
        'S' => '5',
        'G' => '6',
        'B' => '8',
        u => u,
    })
}

/// Compares a supplied code with the reference (device or label) code.
pub fn compare_codes(supplied: &str, reference: &str) -> CodeDiff {
    if supplied == reference {
        return CodeDiff::Same;
    }
    let (a, b) = (supplied.trim(), reference.trim());
    if a == b {
        return CodeDiff::Whitespace;
    }
    if a.eq_ignore_ascii_case(b) {
        return CodeDiff::Case;
    }
    if a.chars().filter_map(canon).eq(b.chars().filter_map(canon)) {
        return CodeDiff::LookAlike;
    }
    CodeDiff::Different
}

fn describe(d: CodeDiff) -> &'static str {
    match d {
        CodeDiff::Same => "identical",
        CodeDiff::Whitespace => "differ only in leading or trailing spaces",
        CodeDiff::Case => "differ only in letter case",
        CodeDiff::LookAlike => {
            "differ only in look-alike characters (such as 0/O, 1/I/l, 5/S, 8/B) or spaces"
        }
        CodeDiff::Different => "differ",
    }
}

/// `code.not_set`: platform access has no verification code.
pub(crate) fn not_set(facts: &Facts, _: &Policy) -> Option<Finding> {
    let p = facts.platform.known()?;
    let empty_type = p
        .code_type
        .as_deref()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("empty"));
    let empty_code = p.device_code.known().is_some_and(|c| c.expose().is_empty());
    if !empty_type && !empty_code {
        return None;
    }
    let t = &facts.target;
    let mut f = Finding::new(
        ids::CODE_NOT_SET,
        "No verification code is set",
        Confidence::High,
        84,
    )
    .cause(
        "The device has no Hik-Connect verification code, so the app cannot add it or decrypt its \
         streams, and the platform cannot check it",
    )
    .explains(SYMPTOMS)
    .fix(FixAction::SetVerificationCode { generate: true });
    if let Some(ty) = &p.code_type {
        f = f.evidence("ezviz.verificationCodeType", ty.clone());
    }
    if empty_code {
        f = f.evidence("ezviz.verificationCode", "(empty)");
    }
    Some(
        f.step(remedy::apply_irreversible_fix(
            t,
            "Set a verification code of 6–12 letters and digits",
        ))
        .step(Step::text("Or set it by hand").ui(UI_PLATFORM))
        .step(remedy::readd())
        .step(remedy::rerun(t)),
    )
}

/// `code.mismatch`, `code.case_mismatch`, `code.lookalike_mismatch`: the code the app stores is
/// not the device's.
pub(crate) fn mismatch(facts: &Facts, _: &Policy) -> Option<Finding> {
    let stored = facts.supplied.stored_code.as_ref()?;
    let (diff, confidence, how) = if let Some(dev) = facts.device_code() {
        if dev.expose().is_empty() {
            return None; // code.not_set covers it
        }
        let d = compare_codes(stored.expose(), dev.expose());
        (
            d,
            Confidence::High,
            "platform.verificationCode (read from the device)",
        )
    } else if facts.platform.known().and_then(|p| p.code_check) == Some(false) {
        (
            CodeDiff::Different,
            Confidence::Medium,
            "verificationCodeCheck (the device's own check)",
        )
    } else {
        return None;
    };
    let (id, title, likelihood) = match diff {
        CodeDiff::Same => return None,
        CodeDiff::Case => (
            ids::CODE_CASE_MISMATCH,
            "The stored verification code differs from the device's in letter case",
            82,
        ),
        CodeDiff::Whitespace | CodeDiff::LookAlike => (
            ids::CODE_LOOKALIKE_MISMATCH,
            "The stored verification code differs from the device's in look-alike characters",
            81,
        ),
        CodeDiff::Different => (
            ids::CODE_MISMATCH,
            "The stored verification code is not the device's",
            80,
        ),
    };
    let from_label = facts
        .supplied
        .label
        .as_ref()
        .and_then(|l| l.code.as_ref())
        .is_some_and(|lc| compare_codes(stored.expose(), lc.expose()) == CodeDiff::Same);
    let mut cause = match diff {
        CodeDiff::Case => "The code stored in the app matches the device's except for upper/lower \
                           case. Verification codes are case-sensitive, so the device rejects it \
                           (Error 2020)"
            .to_owned(),
        CodeDiff::Whitespace | CodeDiff::LookAlike => {
            "The code stored in the app looks like the device's but is not the same: a look-alike \
             character (0/O, 1/I/l, 5/S, 8/B) or a space was typed. The device rejects it (Error 2020)"
                .to_owned()
        }
        _ => "The code stored in the app or VMS is not the device's current verification code, so \
              the device rejects the app's encrypted requests (Error 2020)"
            .to_owned(),
    };
    if from_label {
        cause.push_str(
            ". The stored code is the one printed on the label: the device's code was changed since \
             it left the factory, and the label no longer applies",
        );
    }
    let mut f = Finding::new(id, title, confidence, likelihood)
        .cause(cause)
        .evidence(format!("supplied.storedCode vs {how}"), describe(diff));
    if from_label {
        f = f
            .evidence("supplied.storedCode vs label code", "identical")
            .explains(&[ids::LABEL_CODE_MISMATCH]);
    }
    Some(
        f.step(
            Step::text("Read the device's current verification code on the device")
                .ui(UI_PLATFORM)
                .call(call::EZVIZ_GET),
        )
        .step(
            Step::text("Enter exactly that code in the app (same case, no spaces), or remove and re-add the device with it")
                .ui(format!("{}; {}", remedy::UI_APP_READD, remedy::UI_IVMS_MODIFY)),
        )
        .step(Step::text(
            "If nobody knows the current code, set a new one on the device and re-add the device with it",
        ).ui(UI_PLATFORM)),
    )
}

/// `code.changed_after_binding`: the platform still holds the code the device was bound with.
pub(crate) fn changed_after_binding(facts: &Facts, _: &Policy) -> Option<Finding> {
    if facts.bind_status() != Some(BindStatus::Bound) {
        return None;
    }
    let p = facts.platform.known();
    let key_invalid = not_registered(facts)
        && p.and_then(|p| p.offline_status.as_deref())
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("secretKeyInvalid"));
    let app_rejects = matches!(facts.supplied.app_error, Some(105_002 | 1011));
    let stored_matches = match (facts.supplied.stored_code.as_ref(), facts.device_code()) {
        (Some(s), Some(d)) => compare_codes(s.expose(), d.expose()) == CodeDiff::Same,
        _ => false,
    };
    let confidence = if key_invalid {
        Confidence::High
    } else if app_rejects && stored_matches {
        Confidence::Medium
    } else {
        return None;
    };
    let t = &facts.target;
    let mut f = Finding::new(
        ids::CODE_CHANGED_AFTER_BINDING,
        "The verification code was changed after the device was added to Hik-Connect",
        confidence,
        78,
    )
    .cause(
        "The device is bound to a Hik-Connect account, but its verification code was changed after \
         binding: the platform still holds the old key, so encryption between app, platform and \
         device fails (Error 2020) until the device is removed and added again with the current code",
    )
    .evidence("ezviz.bindStatus", "bind")
    .explains(SYMPTOMS);
    if let Some(p) = p {
        f = f
            .evidence("ezviz.registerStatus", show(p.registered))
            .evidence("ezviz.offlineStatus", show(p.offline_status.as_deref()));
    }
    if let Some(e) = facts.supplied.app_error {
        f = f.evidence("supplied.appError", e.to_string());
    }
    if stored_matches {
        f = f.evidence(
            "supplied.storedCode vs platform.verificationCode",
            "identical (the app has the new code; the platform does not)",
        );
    }
    if facts.device_code().is_none() {
        f = f
            .fix(FixAction::SetVerificationCode { generate: true })
            .step(remedy::apply_irreversible_fix(
                t,
                "Nobody can read the current code here: set a new code first",
            ));
    }
    Some(f.step(remedy::readd()).step(remedy::rerun(t)))
}

/// `label.unreadable`: the label QR text is not a label code.
pub(crate) fn label_unreadable(facts: &Facts, _: &Policy) -> Option<Finding> {
    let l = facts.supplied.label.as_ref()?;
    let reason = l.unreadable.as_ref()?;
    Some(
        Finding::new(
            ids::LABEL_UNREADABLE,
            "The label QR code could not be read",
            Confidence::Medium,
            50,
        )
        .cause(
            "The text given as the label's QR code is not a device label code: the label may be \
             damaged, overwritten, or from something else. An app that scans it gets a wrong \
             serial or code",
        )
        .evidence("supplied.labelQr", reason.clone())
        .step(
            Step::text(
                "Add the device by typing its serial and verification code instead of scanning; \
                 read both on the device itself",
            )
            .ui(UI_PLATFORM),
        ),
    )
}

/// `label.serial_mismatch`: the label is not this device's.
pub(crate) fn label_serial(facts: &Facts, _: &Policy) -> Option<Finding> {
    let label = facts.supplied.label.as_ref()?.serial.as_deref()?.trim();
    let serial = facts.serial()?;
    let short = short_serial(serial)?;
    if label.eq_ignore_ascii_case(short) {
        return None;
    }
    Some(
        Finding::new(
            ids::LABEL_SERIAL_MISMATCH,
            "The label belongs to another device",
            Confidence::High,
            70,
        )
        .cause(
            "The serial in the label's QR code is not this device's serial: the label (or the \
             device) was swapped, so the app tries to add, and verify against, a different device",
        )
        .evidence("label.serial", label)
        .evidence("deviceInfo.serialNumber (last 9)", short)
        .explains(&[ids::LABEL_CODE_MISMATCH])
        .step(Step::text(
            "Use the serial and verification code of this device, read on the device itself, not \
             the label",
        ).ui(UI_PLATFORM))
        .step(remedy::readd()),
    )
}

/// `label.code_mismatch`: the code on the label is not the device's current code.
pub(crate) fn label_code(facts: &Facts, _: &Policy) -> Option<Finding> {
    let label = facts.supplied.label.as_ref()?.code.as_ref()?;
    let dev = facts.device_code()?;
    if dev.expose().is_empty() {
        return None;
    }
    let diff = compare_codes(label.expose(), dev.expose());
    if diff == CodeDiff::Same {
        return None;
    }
    // The user already uses the right code: the label does not matter any more.
    if let Some(s) = &facts.supplied.stored_code {
        if compare_codes(s.expose(), dev.expose()) == CodeDiff::Same {
            return None;
        }
    }
    Some(
        Finding::new(
            ids::LABEL_CODE_MISMATCH,
            "The code on the label is not the device's current code",
            Confidence::Medium,
            45,
        )
        .cause(
            "The verification code in the label's QR code is not the one the device uses now: it \
             was changed after the device left the factory (or the label was tampered with). \
             Scanning the label gives the app the wrong code",
        )
        .evidence("label code vs platform.verificationCode", describe(diff))
        .step(
            Step::text("Read the current code on the device")
                .ui(UI_PLATFORM)
                .call(call::EZVIZ_GET),
        )
        .step(remedy::readd()),
    )
}

/// The last 9 characters of a serial (Hik-Connect's short serial).
fn short_serial(serial: &str) -> Option<&str> {
    let s = serial.trim();
    (s.len() >= 9 && s.is_ascii()).then(|| &s[s.len() - 9..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_comparison_classes() {
        assert_eq!(compare_codes("ABCDEF", "ABCDEF"), CodeDiff::Same);
        assert_eq!(compare_codes(" ABCDEF ", "ABCDEF"), CodeDiff::Whitespace);
        assert_eq!(compare_codes("abcdef", "ABCDEF"), CodeDiff::Case);
        assert_eq!(compare_codes("AB0DEF", "ABODEF"), CodeDiff::LookAlike);
        assert_eq!(compare_codes("Q1S8Z6", "015826"), CodeDiff::LookAlike);
        assert_eq!(compare_codes("abc def", "ABCDEF"), CodeDiff::LookAlike);
        assert_eq!(compare_codes("ABCDEG", "ABCDEF"), CodeDiff::Different);
        assert_eq!(compare_codes("ABCDE", "ABCDEF"), CodeDiff::Different);
        assert_eq!(compare_codes("", "ABCDEF"), CodeDiff::Different);
    }

    #[test]
    fn short_serials() {
        assert_eq!(
            short_serial("DS-2CD2622FWD-IZS20180312BBWR681619114"),
            Some("681619114")
        );
        assert_eq!(short_serial("12345678"), None);
        assert_eq!(short_serial("ÄÄÄÄÄÄÄÄÄÄ"), None);
    }
}
