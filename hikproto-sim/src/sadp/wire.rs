//! Building the responder's datagrams, firmware quirks included.

use hikproto::xml::{escape, fmt_bool};

use crate::captured::set_element_text;

use super::device::{DeviceView, Quirks};

/// One reply under construction: a root element with flat (or one-level) children.
pub(crate) struct Doc {
    root: &'static str,
    quirks: Quirks,
    body: String,
}

impl Doc {
    pub(crate) fn new(root: &'static str, quirks: Quirks) -> Self {
        let sep = quirks.separator.as_str();
        let mut body = String::with_capacity(2048);
        body.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        body.push_str(sep);
        body.push('<');
        body.push_str(root);
        body.push('>');
        body.push_str(sep);
        Self { root, quirks, body }
    }

    pub(crate) fn text(&mut self, name: &str, value: &str) -> &mut Self {
        self.body.push('<');
        self.body.push_str(name);
        self.body.push('>');
        self.body.push_str(&escape(value));
        self.body.push_str("</");
        self.body.push_str(name);
        self.body.push('>');
        self.body.push_str(self.quirks.separator.as_str());
        self
    }

    pub(crate) fn num(&mut self, name: &str, value: impl std::fmt::Display) -> &mut Self {
        self.text(name, &value.to_string())
    }

    pub(crate) fn flag(&mut self, name: &str, value: bool) -> &mut Self {
        self.text(name, if value { "true" } else { "false" })
    }

    /// A boolean real firmware misspells when false (and the quirk is on).
    pub(crate) fn flag_quirky(&mut self, name: &str, value: bool) -> &mut Self {
        let v = match (value, self.quirks.flase) {
            (true, _) => "true",
            (false, true) => "flase",
            (false, false) => "false",
        };
        self.text(name, v)
    }

    /// A pre-built fragment (already escaped), e.g. a `QuestionList`.
    pub(crate) fn raw(&mut self, xml: &str) -> &mut Self {
        self.body.push_str(xml);
        self.body.push_str(self.quirks.separator.as_str());
        self
    }

    pub(crate) fn types(&mut self, types: &str) -> &mut Self {
        if self.quirks.types_trailing_space {
            let t = format!("{types} ");
            self.text("Types", &t)
        } else {
            self.text("Types", types)
        }
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.body.push_str("</");
        self.body.push_str(self.root);
        self.body.push('>');
        self.body.push_str(self.quirks.separator.as_str());
        let mut out = self.body.into_bytes();
        if self.quirks.trailing_nul {
            out.push(0);
        }
        out
    }
}

/// The `ProbeMatch` answering `inquiry` (or the `Hello` announcement when `uuid` is `None`).
pub(crate) fn device_description(
    v: &DeviceView,
    q: Quirks,
    uuid: Option<&str>,
    types: &str,
) -> Vec<u8> {
    let mut d = Doc::new(
        if uuid.is_some() {
            "ProbeMatch"
        } else {
            "Hello"
        },
        q,
    );
    if let Some(u) = uuid {
        d.text("Uuid", u);
    }
    // discovery replies never carry the trailing-space quirk (only command replies were seen so)
    d.text("Types", types);
    let ip = if q.ipv4_lower_v { "Ipv4" } else { "IPv4" };
    let f = &v.features;
    d.num("DeviceType", v.device_type)
        .text("DeviceDescription", &v.model)
        .text("DeviceSN", &v.serial)
        .num("CommandPort", v.command_port)
        .num("HttpPort", v.http_port)
        .num("HttpsPort", v.https_port)
        .text(
            "MAC",
            &super::device::mac_key(&v.mac)
                .map(dashed)
                .unwrap_or_default(),
        )
        .text(&format!("{ip}Address"), &v.ipv4.to_string())
        .text(&format!("{ip}SubnetMask"), &v.mask.to_string())
        .text(&format!("{ip}Gateway"), &v.gateway.to_string())
        .text("IPv6Address", &v.ipv6.to_string())
        .text("IPv6Gateway", &v.ipv6_gateway.to_string())
        .num("IPv6MaskLen", v.ipv6_mask_len)
        .flag("DHCP", v.dhcp)
        .num("AnalogChannelNum", v.analog_channels)
        .num("DigitalChannelNum", v.digital_channels)
        .text("SoftwareVersion", &v.firmware)
        .text("DSPVersion", &v.dsp_version)
        .text("BootTime", &v.boot_time)
        .flag("Encrypt", true)
        .flag("ResetAbility", f.legacy_reset)
        .num("DiskNumber", v.disks)
        .flag("Activated", v.activated)
        .flag("PasswordResetAbility", true)
        .flag("SyncIPCPassword", f.sync_ipc)
        .flag("PasswordResetModeSecond", f.export_file)
        .flag_quirky("DeviceLock", f.device_lock)
        .flag("SupportGUID", f.guid)
        .flag("SupportSecurityQuestion", f.security_questions)
        .flag("SupportHCPlatform", f.hc_platform)
        .flag_quirky("HCPlatformEnable", v.platform_enabled)
        .flag("IsModifyVerificationCode", true);
    if let Some(s) = &v.salt {
        d.text("Salt", s);
    }
    d.flag("SupportRestoreInactive", f.restore_inactive)
        .flag("SupportMailBox", f.mailbox)
        .text("SpecificDeviceType", "Neutral")
        .flag("SDKServerStatus", true)
        .flag("SDKOverTLSServerStatus", true)
        .num("SDKOverTLSPort", v.sdk_over_tls_port)
        .text("UserName", &v.admin_user)
        .flag("supportEzvizUnbind", f.ezviz_unbind)
        .flag("codeEncrypt", f.code_encrypt)
        .flag("SupportPasswordResetType", f.password_reset_type)
        .num(
            "EZVIZBindStatus",
            if v.bound_account.is_some() { 1 } else { 2 },
        )
        .flag("SupportResetPwByPhoneNo", f.phone_reset)
        .text("SADPVersion", "3.0");
    if types == "inquiry_v32" {
        d.flag("IPv4DHCPAbility", true).flag("IPv4DHCP", v.dhcp);
    }
    d.finish()
}

/// A captured `ProbeMatch` answering `inquiry` as device `v`: the template byte for byte (its
/// element order, spellings and separators), with the device's own values (see
/// [`super::SadpDevice::probe_match_template`]) written into the elements the template has;
/// the request's UUID is added after the root's opening tag when the template has none (a
/// capture drops its own). `None` when the template is not a `ProbeMatch` (the generated
/// answer is sent then).
pub(crate) fn from_template(
    template: &str,
    v: &DeviceView,
    uuid: &str,
    types: &str,
) -> Option<Vec<u8>> {
    let root = hikproto::sadp::parse_datagram(template.as_bytes()).ok()?;
    if !root.name.eq_ignore_ascii_case("ProbeMatch") {
        return None;
    }
    let mac = super::device::mac_key(&v.mac)
        .map(dashed)
        .unwrap_or_default();
    let own = [
        ("Types", types.to_owned()),
        ("DeviceSN", v.serial.clone()),
        ("MAC", mac),
        ("IPv4Address", v.ipv4.to_string()),
        ("IPv4SubnetMask", v.mask.to_string()),
        ("IPv4Gateway", v.gateway.to_string()),
        ("DHCP", fmt_bool(v.dhcp).to_owned()),
        ("IPv4DHCP", fmt_bool(v.dhcp).to_owned()),
        ("HttpPort", v.http_port.to_string()),
        ("HttpsPort", v.https_port.to_string()),
        ("Activated", fmt_bool(v.activated).to_owned()),
        ("Salt", v.salt.clone().unwrap_or_default()),
    ];
    let mut out = template.to_owned();
    for (name, value) in own {
        if let Some(set) = set_element_text(&out, name, &value) {
            out = set;
        }
    }
    out = match set_element_text(&out, "Uuid", uuid) {
        Some(set) => set,
        None => {
            let lower = out.to_ascii_lowercase();
            let at = lower.find("<probematch")?;
            let end = at + out[at..].find('>')? + 1;
            format!(
                "{}<Uuid>{}</Uuid>{}",
                &out[..end],
                escape(uuid),
                &out[end..]
            )
        }
    };
    Some(out.into_bytes())
}

/// `aabbccddeeff` → `aa-bb-cc-dd-ee-ff`.
pub(crate) fn dashed(key: String) -> String {
    key.as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}
