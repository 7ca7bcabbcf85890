//! `<Probe>`: the request side of SADP, built and encoded without any I/O.
//!
//! Every constructor takes values that are already protected: password-bearing fields arrive
//! encrypted by [`crate::crypto::sadp`] (the command layer in [`super::SadpClient`] does that).
//! Element order follows the SDK templates (reference §1.3): `Uuid`, `MAC`, `Types`, then the
//! command's fields; `update` keeps its own order (`Uuid`, `Types`, `PWErrorParse`, `MAC`, …).
//! The encoded form is the SDK's: `<?xml version="1.0" encoding="utf-8"?>` directly followed by
//! the root element, with no whitespace anywhere.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};
use crate::xml::{Element, fmt_bool};

use super::mac::MacAddr;
use super::types::ProbeType;
use super::{new_uuid, parse_datagram};

/// Element names whose values are secret (encrypted passwords and answers, reset codes, e-mail):
/// printed as `[redacted]` by `Debug`.
const SECRET_ELEMENTS: &[&str] = &["Password", "Answer", "MailBox", "VerificationCode", "GUID"];

/// A SADP request.
#[derive(Clone, PartialEq, Eq)]
pub struct Probe {
    uuid: String,
    types: ProbeType,
    mac: Option<MacAddr>,
    /// Everything after `Uuid`, in wire order (includes `Types` and `MAC`).
    body: Vec<Element>,
}

/// One security question with its answer, as `setsecurityquestion` and `AnswerReset` carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct QuestionField {
    /// The question's ID (from the device's list).
    pub id: u32,
    /// The answer, already encrypted; `None` sends the ID only.
    pub answer: Option<String>,
    /// Whether to add `<mark>true</mark>` (as `setsecurityquestion` does).
    pub mark: bool,
}

/// The network parameters `update` sends. Every field is sent; start from
/// [`NetworkParams::from_probe_match`] to change only what you mean to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkParams {
    /// `IPv4Address`.
    pub ipv4_address: Ipv4Addr,
    /// `IPv4SubnetMask`.
    pub ipv4_subnet_mask: Ipv4Addr,
    /// `IPv4Gateway`.
    pub ipv4_gateway: Ipv4Addr,
    /// `IPv6Address` (`::` when unused).
    pub ipv6_address: Ipv6Addr,
    /// `IPv6Gateway` (`::` when unused).
    pub ipv6_gateway: Ipv6Addr,
    /// `IPv6MaskLen`.
    pub ipv6_mask_len: u8,
    /// `DHCP`.
    pub dhcp: bool,
    /// `CommandPort` (the SDK/"server" port, 8000 by default).
    pub command_port: u16,
    /// `HttpPort`, sent when set.
    pub http_port: Option<u16>,
    /// `SDKOverTLSPort`, sent when set.
    pub sdk_over_tls_port: Option<u16>,
}

impl NetworkParams {
    /// The parameters a device currently reports, ready to be changed field by field.
    ///
    /// Fails with [`Error::InvalidInput`] when the reply lacks the IPv4 address or mask.
    pub fn from_probe_match(pm: &super::ProbeMatch) -> Result<Self> {
        let missing = |what: &str| Error::invalid(format!("the device did not report its {what}"));
        Ok(Self {
            ipv4_address: pm.ipv4_address.ok_or_else(|| missing("IPv4 address"))?,
            ipv4_subnet_mask: pm.ipv4_subnet_mask.ok_or_else(|| missing("subnet mask"))?,
            ipv4_gateway: pm.ipv4_gateway.unwrap_or(Ipv4Addr::UNSPECIFIED),
            ipv6_address: pm.ipv6_address.unwrap_or(Ipv6Addr::UNSPECIFIED),
            ipv6_gateway: pm.ipv6_gateway.unwrap_or(Ipv6Addr::UNSPECIFIED),
            ipv6_mask_len: pm.ipv6_mask_len.unwrap_or(64),
            dhcp: pm.dhcp.unwrap_or(false),
            command_port: pm.command_port.unwrap_or(8000),
            http_port: pm.http_port,
            sdk_over_tls_port: pm.sdk_over_tls_port,
        })
    }
}

fn el(name: &str, text: impl Into<String>) -> Element {
    Element::with_text(name, text)
}

impl Probe {
    /// A probe of any type: `Uuid`, `MAC` (when given), `Types`, then `fields` in order.
    pub fn new(
        uuid: impl Into<String>,
        types: ProbeType,
        mac: Option<MacAddr>,
        fields: Vec<Element>,
    ) -> Self {
        let mut body = Vec::with_capacity(fields.len() + 2);
        if let Some(m) = mac {
            body.push(el("MAC", m.to_string()));
        }
        body.push(el("Types", types.as_str()));
        body.extend(fields);
        Self {
            uuid: uuid.into(),
            types,
            mac,
            body,
        }
    }

    /// A probe addressed to one device, with a fresh upper-case UUID.
    pub fn command(types: ProbeType, mac: MacAddr, fields: Vec<Element>) -> Self {
        Self::new(new_uuid(), types, Some(mac), fields)
    }

    /// `inquiry`: discovery.
    pub fn inquiry(uuid: impl Into<String>) -> Self {
        Self::new(uuid, ProbeType::Inquiry, None, Vec::new())
    }

    /// `inquiry_v32`: discovery sent unicast to each address of a subnet range.
    pub fn inquiry_v32(uuid: impl Into<String>) -> Self {
        Self::new(uuid, ProbeType::InquiryV32, None, Vec::new())
    }

    /// `exchangecode`: `public_key` is the base64 PKCS#1 `RSAPublicKey` DER.
    pub fn exchange_code(mac: MacAddr, public_key: &str) -> Self {
        Self::command(ProbeType::ExchangeCode, mac, vec![el("Code", public_key)])
    }

    /// `activate` with the encrypted new admin password.
    pub fn activate(mac: MacAddr, password: &str) -> Self {
        Self::command(ProbeType::Activate, mac, vec![el("Password", password)])
    }

    /// `update`: new network parameters, authorised by the admin password (`salted` adds
    /// `bSalt="true"`, see [`crate::crypto::sadp::salted_password`]).
    pub fn update(mac: MacAddr, params: &NetworkParams, password: &str, salted: bool) -> Self {
        let mut pw = el("Password", password);
        if salted {
            pw.set_attr("bSalt", "true");
        }
        let mut body = vec![
            el("Types", ProbeType::Update.as_str()),
            el("PWErrorParse", "true"),
            el("MAC", mac.to_string()),
            pw,
            el("IPv4Address", params.ipv4_address.to_string()),
            el("CommandPort", params.command_port.to_string()),
            el("IPv4SubnetMask", params.ipv4_subnet_mask.to_string()),
            el("IPv4Gateway", params.ipv4_gateway.to_string()),
            el("IPv6Address", params.ipv6_address.to_string()),
            el("IPv6Gateway", params.ipv6_gateway.to_string()),
            el("IPv6MaskLen", params.ipv6_mask_len.to_string()),
            el("DHCP", fmt_bool(params.dhcp)),
        ];
        if let Some(p) = params.http_port {
            body.push(el("HttpPort", p.to_string()));
        }
        if let Some(p) = params.sdk_over_tls_port {
            body.push(el("SDKOverTLSPort", p.to_string()));
        }
        Self {
            uuid: new_uuid(),
            types: ProbeType::Update,
            mac: Some(mac),
            body,
        }
    }

    /// A command that carries only the target MAC (`getcode`, `getencryptstring`,
    /// `getsecurityquestion`, `GetQRcodes`, `GetPhoneNoQRCode`, `getPasswordResetType`,
    /// `getUnbindStatus`).
    pub fn query(types: ProbeType, mac: MacAddr) -> Self {
        Self::command(types, mac, Vec::new())
    }

    /// A command authorised by the (encrypted) admin password only (`ExportGUID`, `ezvizUnbind`,
    /// `restoreInactive`).
    pub fn with_password(types: ProbeType, mac: MacAddr, password: &str) -> Self {
        Self::command(types, mac, vec![el("Password", password)])
    }

    /// Legacy `reset` with a security code only (restores the factory password).
    pub fn reset_legacy(mac: MacAddr, code: &str) -> Self {
        Self::command(ProbeType::Reset, mac, vec![el("Code", code)])
    }

    /// `reset` with a new (encrypted) password and the support desk's code or reply-file content.
    /// `code_encrypted` adds `bEncrypt="true"` (devices that advertise `codeEncrypt`).
    pub fn reset(
        mac: MacAddr,
        password: &str,
        sync_ipc: bool,
        code: &str,
        code_encrypted: bool,
    ) -> Self {
        Self::password_and_code(
            ProbeType::Reset,
            mac,
            password,
            sync_ipc,
            code,
            code_encrypted,
        )
    }

    /// `GUIDReset`: the exported GUID and the new (encrypted) password.
    pub fn guid_reset(mac: MacAddr, guid: &str, password: &str, sync_ipc: bool) -> Self {
        let mut fields = Vec::with_capacity(3);
        if sync_ipc {
            fields.push(el("SyncIPCPassword", "true"));
        }
        fields.push(el("GUID", guid));
        fields.push(el("Password", password));
        Self::command(ProbeType::GuidReset, mac, fields)
    }

    /// `setsecurityquestion`: three questions with encrypted answers, and the admin password.
    pub fn set_security_questions(
        mac: MacAddr,
        questions: &[QuestionField],
        password: &str,
    ) -> Self {
        Self::command(
            ProbeType::SetSecurityQuestion,
            mac,
            vec![question_list(questions), el("Password", password)],
        )
    }

    /// `AnswerReset`: the answers and the new (encrypted) password.
    pub fn answer_reset(
        mac: MacAddr,
        questions: &[QuestionField],
        password: &str,
        sync_ipc: bool,
    ) -> Self {
        let mut fields = Vec::with_capacity(3);
        if sync_ipc {
            fields.push(el("SyncIPCPassword", "true"));
        }
        fields.push(question_list(questions));
        fields.push(el("Password", password));
        Self::command(ProbeType::AnswerReset, mac, fields)
    }

    /// `SetMailBox`: the (encrypted, base64) reserved e-mail and the admin password.
    pub fn set_mailbox(mac: MacAddr, mailbox: &str, password: &str) -> Self {
        Self::command(
            ProbeType::SetMailBox,
            mac,
            vec![el("MailBox", mailbox), el("Password", password)],
        )
    }

    /// `MailReset`: the new (encrypted) password and the code received by e-mail.
    pub fn mail_reset(
        mac: MacAddr,
        password: &str,
        sync_ipc: bool,
        code: &str,
        code_encrypted: bool,
    ) -> Self {
        Self::password_and_code(
            ProbeType::MailReset,
            mac,
            password,
            sync_ipc,
            code,
            code_encrypted,
        )
    }

    /// The body shared by the code-authorised resets: new password, optional camera sync, code.
    fn password_and_code(
        kind: ProbeType,
        mac: MacAddr,
        password: &str,
        sync_ipc: bool,
        code: &str,
        code_encrypted: bool,
    ) -> Self {
        let mut fields = vec![el("Password", password)];
        if sync_ipc {
            fields.push(el("SyncIPCPassword", "true"));
        }
        fields.push(code_el(code, code_encrypted));
        Self::command(kind, mac, fields)
    }

    /// `PhoneNoReset`: the new (encrypted) password and the code the Hik-Connect app showed.
    ///
    /// Only `PhoneNoReset_v31` is documented (its key derivation is not public); this 3.0 form
    /// mirrors `MailReset` and is an inference (reference §1.3, §5 item 1).
    pub fn phone_reset(mac: MacAddr, password: &str, code: &str, code_encrypted: bool) -> Self {
        Self::command(
            ProbeType::PhoneNoReset,
            mac,
            vec![el("Password", password), code_el(code, code_encrypted)],
        )
    }

    /// `SetHCPlatform`: enable or disable Hik-Connect, authorised by the admin password.
    pub fn set_hc_platform(mac: MacAddr, enable: bool, password: &str) -> Self {
        Self::command(
            ProbeType::SetHcPlatform,
            mac,
            vec![
                el("HCPlatformEnable", fmt_bool(enable)),
                el("Password", password),
            ],
        )
    }

    /// `SetVerificationCode`: the (encrypted) verification code and the admin password.
    pub fn set_verification_code(mac: MacAddr, code: &str, password: &str) -> Self {
        Self::command(
            ProbeType::SetVerificationCode,
            mac,
            vec![el("VerificationCode", code), el("Password", password)],
        )
    }

    /// `lamp`: locator LED on (`open`) or off (`close`).
    pub fn lamp(mac: MacAddr, on: bool) -> Self {
        Self::command(
            ProbeType::Lamp,
            mac,
            vec![el("Action", if on { "open" } else { "close" })],
        )
    }

    /// The request UUID the reply must echo.
    pub fn uuid(&self) -> &str {
        &self.uuid
    }

    /// The request type.
    pub fn types(&self) -> &ProbeType {
        &self.types
    }

    /// The target MAC, if the request addresses one device.
    pub fn mac(&self) -> Option<MacAddr> {
        self.mac
    }

    /// The elements after `Uuid`, in wire order.
    pub fn body(&self) -> &[Element] {
        &self.body
    }

    /// The text of a body element.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.body
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.text.as_str())
    }

    /// The element tree (root `Probe`).
    pub fn to_element(&self) -> Element {
        let mut root = Element::new("Probe");
        root.children.reserve(self.body.len() + 1);
        root.children.push(el("Uuid", self.uuid.clone()));
        root.children.extend(self.body.iter().cloned());
        root
    }

    /// The datagram: the SDK's declaration and the element, with no whitespace.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = String::with_capacity(128 + 48 * self.body.len());
        out.push_str(r#"<?xml version="1.0" encoding="utf-8"?>"#);
        self.to_element().write_into(&mut out);
        out.into_bytes()
    }

    /// Decodes a `<Probe>` datagram (for tools that watch the wire, and for tests).
    pub fn decode(datagram: &[u8]) -> Result<Self> {
        let root = parse_datagram(datagram)?;
        Self::from_element(&root)
    }

    /// Decodes a parsed `<Probe>` element.
    pub fn from_element(root: &Element) -> Result<Self> {
        const WHAT: &str = "SADP Probe";
        if root.name != "Probe" {
            return Err(Error::decode(
                WHAT,
                format!("expected <Probe>, found <{}>", super::mac::clip(&root.name)),
            ));
        }
        let uuid = root
            .text_at("Uuid")
            .ok_or_else(|| Error::decode(WHAT, "missing <Uuid>"))?
            .to_owned();
        let types = ProbeType::parse(
            root.text_at("Types")
                .ok_or_else(|| Error::decode(WHAT, "missing <Types>"))?,
        );
        let mac = match root.text_at("MAC") {
            Some(m) => Some(MacAddr::parse(m)?),
            None => None,
        };
        let body = root
            .children
            .iter()
            .filter(|c| c.name != "Uuid")
            .cloned()
            .collect();
        Ok(Self {
            uuid,
            types,
            mac,
            body,
        })
    }
}

fn code_el(code: &str, encrypted: bool) -> Element {
    let mut c = el("Code", code);
    if encrypted {
        c.set_attr("bEncrypt", "true");
    }
    c
}

fn question_list(questions: &[QuestionField]) -> Element {
    let mut list = Element::new("QuestionList");
    for q in questions {
        let mut qe = Element::new("Question").push_text("ID", q.id.to_string());
        if let Some(a) = &q.answer {
            qe = qe.push_text("Answer", a.clone());
        }
        if q.mark {
            qe = qe.push_text("mark", "true");
        }
        list.children.push(qe);
    }
    list
}

/// Debug output with secret element values replaced by `[redacted]` (recursively).
fn redacted(e: &Element) -> Element {
    let mut out = e.clone();
    redact_in_place(&mut out);
    out
}

fn redact_in_place(e: &mut Element) {
    if SECRET_ELEMENTS.contains(&e.name.as_str()) && !e.text.is_empty() {
        e.text = "[redacted]".into();
    }
    for c in &mut e.children {
        redact_in_place(c);
    }
}

impl fmt::Debug for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut root = self.to_element();
        // `Code` is a public key in `exchangecode`, but a reset code elsewhere.
        if self.types != ProbeType::ExchangeCode {
            for c in &mut root.children {
                if c.name == "Code" {
                    c.text = "[redacted]".into();
                }
            }
        }
        let mut s = String::new();
        redacted(&root).write_into(&mut s);
        f.debug_tuple("Probe").field(&s).finish()
    }
}

impl fmt::Debug for QuestionField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuestionField")
            .field("id", &self.id)
            .field("answer", &self.answer.as_ref().map(|_| "[redacted]"))
            .field("mark", &self.mark)
            .finish()
    }
}

#[cfg(test)]
mod tests;
