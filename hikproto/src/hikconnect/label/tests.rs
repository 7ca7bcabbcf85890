//! Label QR tests: every separator and field count, typed rejections, the URL variant.

use super::*;

fn code(q: &LabelQr) -> Option<&str> {
    q.verification_code.as_ref().map(Secret::expose)
}

#[test]
fn every_separator_and_field_count() {
    // (text, domain, serial, code, model, sensor)
    type Row = (
        &'static str,
        Option<&'static str>,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    );
    let rows: &[Row] = &[
        (
            "www.xxx.com\n456654855\nABCDEF\nCS-C3-21PPFR\n",
            Some("www.xxx.com"),
            "456654855",
            Some("ABCDEF"),
            Some("CS-C3-21PPFR"),
            None,
        ),
        (
            "www.ys7.com\r\n096823495\r\nABCDEF\r\nCS-T1-A/12M\r\nTOO1\r\n",
            Some("www.ys7.com"),
            "096823495",
            Some("ABCDEF"),
            Some("CS-T1-A/12M"),
            Some("TOO1"),
        ),
        (
            "www.ys7.com\n\r733050127\n\rQWERTY\n\rDS-2CD2143G2-I\n\r",
            Some("www.ys7.com"),
            "733050127",
            Some("QWERTY"),
            Some("DS-2CD2143G2-I"),
            None,
        ),
        (
            "www.hik-connect.com\r733050127\rAbc123xyz\rDS-7608NXI-I2",
            Some("www.hik-connect.com"),
            "733050127",
            Some("Abc123xyz"),
            Some("DS-7608NXI-I2"),
            None,
        ),
        (
            "www.ys7.com 096823495 ABCDEF CS-T1-A/12M K001",
            Some("www.ys7.com"),
            "096823495",
            Some("ABCDEF"),
            Some("CS-T1-A/12M"),
            Some("K001"),
        ),
        ("456654855", None, "456654855", None, None, None),
        ("456654855\n", None, "456654855", None, None, None),
        (
            "www.ys7.com\n456654855\nABCDEF",
            Some("www.ys7.com"),
            "456654855",
            Some("ABCDEF"),
            None,
            None,
        ),
        (
            "www.ys7.com\n456654855\n\nCS-C3",
            Some("www.ys7.com"),
            "456654855",
            None,
            Some("CS-C3"),
            None,
        ),
        (
            "www.hik-connect.com\nDS-2CD2622FWD-IZS20180312BBWR681619114\nABCDEF\nDS-2CD2622FWD-IZS",
            Some("www.hik-connect.com"),
            "681619114",
            Some("ABCDEF"),
            Some("DS-2CD2622FWD-IZS"),
            None,
        ),
    ];
    for (text, domain, serial, vc, model, sensor) in rows {
        let q = LabelQr::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(q.domain.as_deref(), *domain, "{text:?}");
        assert_eq!(q.serial.as_str(), *serial, "{text:?}");
        assert_eq!(code(&q), *vc, "{text:?}");
        assert_eq!(q.model.as_deref(), *model, "{text:?}");
        assert_eq!(q.sensor_code.as_deref(), *sensor, "{text:?}");
        assert_eq!(q.source, LabelSource::Text);
    }
}

#[test]
fn rejections_are_typed() {
    let long = "x".repeat(5000);
    type Check = fn(&LabelError) -> bool;
    let cases: Vec<(&str, Check)> = vec![
        ("", |e| matches!(e, LabelError::Empty)),
        ("\r\n\r\n", |e| matches!(e, LabelError::Empty)),
        (&long, |e| matches!(e, LabelError::TooLong { .. })),
        ("a\nb\nc\nd\ne\nf", |e| {
            matches!(e, LabelError::TooManyFields { found: 6 })
        }),
        ("www.ys7.com\n12345\nABCDEF\nCS-C3", |e| {
            matches!(e, LabelError::BadSerial { .. })
        }),
        ("www.ys7.com\n\nABCDEF\nCS-C3", |e| {
            matches!(e, LabelError::BadSerial { .. })
        }),
        ("www.ys7.com\n456654855\nABC\nCS-C3", |e| {
            matches!(e, LabelError::BadVerificationCode { len: 3 })
        }),
        ("www.ys7.com\n456654855\nABCDEF!\nCS-C3", |e| {
            matches!(e, LabelError::BadVerificationCode { .. })
        }),
        ("www.ys7.com\n456654855\nABCDEF\nCS C3", |e| {
            matches!(e, LabelError::BadModel { .. })
        }),
        ("www.ys7.com\n456654855\nABCDEF\nCS-C3\nX001", |e| {
            matches!(e, LabelError::BadSensorCode { .. })
        }),
        ("https://smart.jd.com/x?g=1", |e| {
            matches!(e, LabelError::BadUrl { .. })
        }),
        ("https://smart.jd.com/x?f=%%%", |e| {
            matches!(e, LabelError::BadUrl { .. })
        }),
        ("https://smart.jd.com/x?f=!!!!", |e| {
            matches!(e, LabelError::BadUrl { .. })
        }),
    ];
    for (text, check) in cases {
        let err = LabelQr::parse(text).expect_err(text);
        assert!(check(&err), "{text:?} gave {err:?}");
        assert!(!err.to_string().contains("ABCDEF"), "code leaked: {err}");
    }
}

#[test]
fn url_variant_round_trip_and_decoding() {
    let mut q = LabelQr::parse("www.ys7.com\n096823495\nABCDEF\nCS-T1-A/12M\nT001").unwrap();
    let url = q.to_url("https://smart.jd.com/scan?a=1", "JD");
    assert!(url.starts_with("https://smart.jd.com/scan?a=1&f="), "{url}");
    let back = LabelQr::parse(&url).unwrap();
    assert_eq!(back.serial, q.serial);
    assert_eq!(code(&back), Some("ABCDEF"));
    assert_eq!(back.sensor_code.as_deref(), Some("T001"));
    assert_eq!(
        back.source,
        LabelSource::Url {
            base: "https://smart.jd.com/scan?a=1&f=".into()
        }
    );
    q.source = back.source.clone();
    assert_eq!(back, q);

    // Independently built: URL-safe base64 without padding, no `$$$` marker.
    let payload = "www.ys7.com\r\n456654855\r\nQWERTY\r\nCS-C3-21PPFR";
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
    let q2 = LabelQr::parse(&format!("HTTPS://smart.jd.com/?f={enc}#frag")).unwrap();
    assert_eq!(q2.serial.as_str(), "456654855");
    assert_eq!(code(&q2), Some("QWERTY"));
}

#[test]
fn building_every_separator_round_trips() {
    let q = LabelQr::parse("www.ys7.com\n096823495\nABCDEF\nCS-T1-A/12M\nT001").unwrap();
    for sep in [
        LabelSeparator::Lf,
        LabelSeparator::CrLf,
        LabelSeparator::LfCr,
        LabelSeparator::Cr,
        LabelSeparator::Space,
    ] {
        let text = q.to_text(sep);
        assert_eq!(LabelQr::parse(&text).unwrap(), q, "{sep:?}: {text:?}");
    }
    let only = LabelQr::new(ShortSerial::parse("456654855").unwrap());
    assert_eq!(only.to_text(LabelSeparator::Lf), "456654855");
    let mut gap = only;
    gap.model = Some("CS-C3".into());
    assert_eq!(gap.to_text(LabelSeparator::Lf), "\n456654855\n\nCS-C3\n");
    assert_eq!(
        LabelQr::parse(&gap.to_text(LabelSeparator::Lf)).unwrap(),
        gap
    );
}

#[test]
fn serialize_hides_the_code_unless_asked() {
    let q = LabelQr::parse("www.xxx.com\n456654855\nABCDEF\nCS-C3-21PPFR\n").unwrap();
    let json = serde_json::to_string(&q).unwrap();
    assert!(!json.contains("ABCDEF"), "{json}");
    assert!(json.contains("\"hasVerificationCode\":true"), "{json}");
    assert!(json.contains("\"serial\":\"456654855\""), "{json}");
    let shown = q.to_json(true);
    assert_eq!(shown["verificationCode"], "ABCDEF");
    assert!(q.to_json(false).get("verificationCode").is_none());
    assert!(!format!("{q:?}").contains("ABCDEF"));
}

#[test]
fn url_with_a_fragment_and_multibyte_text_does_not_panic() {
    // found by fuzzing: the base URL was cut at an offset computed after the fragment was
    // removed, inside a multi-byte character
    let text =
        "https://?f=FUUUUUUUUUUUUUUU#UUUUUUUUUUUUUUUUUUUuUUUU\u{feff}\u{feff}\u{feff} UUUU&Uo-\n";
    assert!(LabelQr::parse(text).is_err());
    let enc = "d3d3LnlzNy5jb20KMDk2ODIzNDk1CkFCQ0RFRgpDUy1UMS1BLzEyTQ==";
    let q = LabelQr::parse(&format!("https://a.example/x?y=1&f={enc}#\u{e9}t\u{e9}")).unwrap();
    assert_eq!(
        q.source,
        LabelSource::Url {
            base: "https://a.example/x?y=1&f=".into()
        }
    );
}
