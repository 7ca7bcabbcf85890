//! `<ProbeMatch>` (and `<Hello>`): what a device says about itself (reference §1.4).
//!
//! Every element of the SDK parser's inventory has a typed field; anything else is kept in
//! [`ProbeMatch::unknown`]. Decoding is lenient because firmware is: element names match
//! case-insensitively (`Ipv4Address` and `IPv4Address` are the same field), booleans accept
//! `flase`, empty elements read as absent, a value that does not parse as its type reads as absent
//! (and its name is listed in [`ProbeMatch::malformed`]), and a repeated element keeps its first
//! value (one OEM responder sends `DeviceType` twice).
//!
//! This strictness follows the reference's confidence: the element inventory is \[code\] (the
//! SDK's parser and two responders agree), the spellings and value formats devices actually send
//! are partly \[obs\] (`flase`) and partly \[inferred\], so only a message that is not a
//! `ProbeMatch`/`Hello` at all is refused; a field the parser cannot read is reported, not fatal.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Serialize, Serializer};

use crate::error::{Error, Result};
use crate::xml::{Element, fmt_bool, parse_bool};

use super::mac::{MacAddr, clip};
use super::types::ProbeType;

/// A value type a ProbeMatch field can hold.
trait FieldValue: Sized {
    fn parse_field(s: &str) -> Option<Self>;
    fn render(&self) -> String;
}

impl FieldValue for String {
    fn parse_field(s: &str) -> Option<Self> {
        Some(s.to_owned())
    }
    fn render(&self) -> String {
        self.clone()
    }
}

impl FieldValue for bool {
    fn parse_field(s: &str) -> Option<Self> {
        parse_bool(s)
    }
    fn render(&self) -> String {
        fmt_bool(*self).to_owned()
    }
}

impl FieldValue for MacAddr {
    fn parse_field(s: &str) -> Option<Self> {
        Self::parse(s).ok()
    }
    fn render(&self) -> String {
        self.to_string()
    }
}

macro_rules! parsed_value {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            fn parse_field(s: &str) -> Option<Self> {
                s.trim().parse().ok()
            }
            fn render(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
parsed_value!(u8, u16, u32, Ipv4Addr, Ipv6Addr);

macro_rules! inventory {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty = $name:literal $(| $alt:literal)* ; )*) => {
        /// A device's self-description: the reply to `inquiry`/`inquiry_v32`, or a `Hello`.
        ///
        /// Field names follow the wire elements (reference §1.4); every field is optional
        /// because firmware sends different subsets.
        #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
        pub struct ProbeMatch {
            /// `Uuid`: the request's UUID echoed (absent in a `Hello`).
            #[serde(skip_serializing_if = "String::is_empty")]
            pub uuid: String,
            /// `Types`: `inquiry`, `inquiry_v32` or `hello`.
            pub types: ProbeType,
            $(
                $(#[$doc])*
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Elements outside the inventory, kept as sent.
            #[serde(serialize_with = "serialize_unknown", skip_serializing_if = "Vec::is_empty")]
            pub unknown: Vec<Element>,
            /// Names of inventory elements whose value did not parse as the field's type.
            #[serde(skip_serializing_if = "Vec::is_empty")]
            pub malformed: Vec<String>,
        }

        /// (wire name, alternative spellings) of every inventory field, in SDK order.
        pub const INVENTORY: &[(&str, &[&str])] = &[$( ($name, &[$($alt),*]) ),*];

        impl ProbeMatch {
            fn set_from(&mut self, child: &Element) -> bool {
                let n = child.name.as_str();
                $(
                    if n.eq_ignore_ascii_case($name) $(|| n.eq_ignore_ascii_case($alt))* {
                        if self.$field.is_none() && !child.text.is_empty() {
                            match <$ty as FieldValue>::parse_field(&child.text) {
                                Some(v) => self.$field = Some(v),
                                None => self.malformed.push($name.to_owned()),
                            }
                        }
                        return true;
                    }
                )*
                false
            }

            fn write_fields(&self, root: &mut Element) {
                $(
                    if let Some(v) = &self.$field {
                        root.children.push(Element::with_text($name, FieldValue::render(v)));
                    }
                )*
            }
        }
    };
}

inventory! {
    /// `DeviceType`: numeric model class (e.g. 141945) — a number, not a model name.
    device_type: u32 = "DeviceType";
    /// `DeviceDescription`: the model, e.g. `DS-2CD2385G1-I`.
    device_description: String = "DeviceDescription";
    /// `DeviceSN`: the full serial number.
    device_sn: String = "DeviceSN";
    /// `CommandPort`: the SDK ("server") port, 8000 by default.
    command_port: u16 = "CommandPort";
    /// `HttpPort`.
    http_port: u16 = "HttpPort";
    /// `HttpsPort`.
    https_port: u16 = "HttpsPort";
    /// `MAC`: the device identity for every command.
    mac: MacAddr = "MAC";
    /// `IPv4Address` (also spelled `Ipv4Address`).
    ipv4_address: Ipv4Addr = "IPv4Address" | "Ipv4Address";
    /// `IPv4SubnetMask` (also spelled `Ipv4SubnetMask`).
    ipv4_subnet_mask: Ipv4Addr = "IPv4SubnetMask" | "Ipv4SubnetMask";
    /// `IPv4Gateway` (also spelled `Ipv4Gateway`).
    ipv4_gateway: Ipv4Addr = "IPv4Gateway" | "Ipv4Gateway";
    /// `IPv6Address`.
    ipv6_address: Ipv6Addr = "IPv6Address";
    /// `IPv6Gateway`.
    ipv6_gateway: Ipv6Addr = "IPv6Gateway";
    /// `IPv6MaskLen`.
    ipv6_mask_len: u8 = "IPv6MaskLen";
    /// `DHCP`: DHCP enabled.
    dhcp: bool = "DHCP";
    /// `DHCPAbility`: DHCP supported.
    dhcp_ability: bool = "DHCPAbility";
    /// `supportIPv6`.
    support_ipv6: bool = "supportIPv6";
    /// `supportModifyIPv6`.
    support_modify_ipv6: bool = "supportModifyIPv6";
    /// `AnalogChannelNum`.
    analog_channel_num: u32 = "AnalogChannelNum";
    /// `DigitalChannelNum`.
    digital_channel_num: u32 = "DigitalChannelNum";
    /// `SoftwareVersion`, e.g. `V5.6.2build 190701`.
    software_version: String = "SoftwareVersion";
    /// `DSPVersion`.
    dsp_version: String = "DSPVersion";
    /// `BootTime` (`YYYY-MM-DD hh:mm:ss`, device clock); the legacy security-code reset needs it.
    boot_time: String = "BootTime";
    /// `OEMCode`.
    oem_code: bool = "OEMCode";
    /// `OEMInfo`.
    oem_info: String = "OEMInfo";
    /// `DetailOEMCode`: customer number + menu style + region.
    detail_oem_code: u32 = "DetailOEMCode";
    /// `SoftwareVersionEncrypt` (meaning not public; kept as text).
    software_version_encrypt: String = "SoftwareVersionEncrypt";
    /// `DSPVersionEncrypt` (meaning not public; kept as text).
    dsp_version_encrypt: String = "DSPVersionEncrypt";
    /// `OEMInfoEncrypt` (meaning not public; kept as text).
    oem_info_encrypt: String = "OEMInfoEncrypt";
    /// `Encrypt`: the reply includes encryption nodes (exact semantics not public).
    encrypt: bool = "Encrypt";
    /// `ResetAbility`: supports restoring the default password.
    reset_ability: bool = "ResetAbility";
    /// `DiskNumber`.
    disk_number: u32 = "DiskNumber";
    /// `Activated`.
    activated: bool = "Activated";
    /// `PasswordResetAbility`: supports resetting the password.
    password_reset_ability: bool = "PasswordResetAbility";
    /// `SyncIPCPassword`: an NVR can push a new password to its cameras.
    sync_ipc_password: bool = "SyncIPCPassword";
    /// `PasswordResetModeSecond`: supports the export-file ("encrypted string") reset.
    password_reset_mode_second: bool = "PasswordResetModeSecond";
    /// `DeviceLock`: supports lock-out (often sent as `flase`).
    device_lock: bool = "DeviceLock";
    /// `SupportGUID`: supports the GUID reset.
    support_guid: bool = "SupportGUID";
    /// `SupportSecurityQuestion`: supports the security-question reset.
    support_security_question: bool = "SupportSecurityQuestion";
    /// `SupportHCPlatform`: supports Hik-Connect.
    support_hc_platform: bool = "SupportHCPlatform";
    /// `HCPlatformEnable`: Hik-Connect enabled (often sent as `flase`).
    hc_platform_enable: bool = "HCPlatformEnable";
    /// `EZVIZCode`: an EZVIZ-branded device.
    ezviz_code: bool = "EZVIZCode";
    /// `IsModifyVerificationCode`: whether the verification code can be (or was) edited.
    is_modify_verification_code: bool = "IsModifyVerificationCode";
    /// `Salt`: per-device salt (64 hex characters on current firmware); enables the salted `update`.
    salt: String = "Salt";
    /// `Salt2` (meaning not public).
    salt2: String = "Salt2";
    /// `SupportBind`: NVR ↔ camera binding list.
    support_bind: bool = "SupportBind";
    /// `MaxBindNum`.
    max_bind_num: u32 = "MaxBindNum";
    /// `SupportRestoreInactive`.
    support_restore_inactive: bool = "SupportRestoreInactive";
    /// `supportwifiRegion`.
    support_wifi_region: bool = "supportwifiRegion";
    /// `currentwifiRegion`.
    current_wifi_region: String = "currentwifiRegion";
    /// `supportWifiEnhancement`.
    support_wifi_enhancement: bool = "supportWifiEnhancement";
    /// `enableWifiEnhancement`.
    enable_wifi_enhancement: bool = "enableWifiEnhancement";
    /// `Licensed` (format not public; kept as text).
    licensed: String = "Licensed";
    /// `SystemMode`: `singleControl`, `doubleControl`, `singleCluster`, `doubleCluster`.
    system_mode: String = "SystemMode";
    /// `ControllerType`: `A` or `B`.
    controller_type: String = "ControllerType";
    /// `SupportChannelDefaultPassword`.
    support_channel_default_password: bool = "SupportChannelDefaultPassword";
    /// `SupportMailBox`: supports the e-mail reset.
    support_mail_box: bool = "SupportMailBox";
    /// `supportSSIDAndPasswordCfg`.
    support_ssid_and_password_cfg: bool = "supportSSIDAndPasswordCfg";
    /// `SpecificDeviceType`: `Neutral`, …
    specific_device_type: String = "SpecificDeviceType";
    /// `EHomeVer`: ISUP (EHome) version.
    ehome_ver: String = "EHomeVer";
    /// `SecurityMode`: `standard`, `high-A`, `high-B`, `custom`.
    security_mode: String = "SecurityMode";
    /// `SDKServerStatus`.
    sdk_server_status: bool = "SDKServerStatus";
    /// `SDKOverTLSServerStatus`.
    sdk_over_tls_server_status: bool = "SDKOverTLSServerStatus";
    /// `SDKOverTLSPort`.
    sdk_over_tls_port: u16 = "SDKOverTLSPort";
    /// `UserName`: the admin user in non-standard security modes (`admin` by default).
    user_name: String = "UserName";
    /// `WifiMAC`.
    wifi_mac: MacAddr = "WifiMAC";
    /// `supportEzvizUnbind`.
    support_ezviz_unbind: bool = "supportEzvizUnbind";
    /// `codeEncrypt`: the device accepts reset codes encrypted (`bEncrypt="true"`).
    code_encrypt: bool = "codeEncrypt";
    /// `SupportPasswordResetType`: answers `getPasswordResetType`.
    support_password_reset_type: bool = "SupportPasswordResetType";
    /// `EZVIZBindStatus` (format not fully public; see [`ProbeMatch::bind_status`]).
    ezviz_bind_status: String = "EZVIZBindStatus";
    /// `physicalAccessVerification` (see [`ProbeMatch::physical_access_methods`]).
    physical_access_verification: String = "physicalAccessVerification";
    /// `supportEzvizUserToken`.
    support_ezviz_user_token: bool = "supportEzvizUserToken";
    /// `manufacturer`.
    manufacturer: String = "manufacturer";
    /// `SupportResetPwByPhoneNo`: supports the Hik-Connect app reset.
    support_reset_pw_by_phone_no: bool = "SupportResetPwByPhoneNo";
    /// `SADPVersion`, e.g. `3.0,3.1` (see [`ProbeMatch::sadp_versions`]).
    sadp_version: String = "SADPVersion";
    /// `IPv4DHCPAbility` (subnet-inquiry replies).
    ipv4_dhcp_ability: bool = "IPv4DHCPAbility";
    /// `IPv4DHCP` (subnet-inquiry replies).
    ipv4_dhcp: bool = "IPv4DHCP";
}

fn serialize_unknown<S: Serializer>(v: &[Element], s: S) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for e in v {
        m.serialize_entry(&e.name, &e.to_json())?;
    }
    m.end()
}

/// Hik-Connect binding state as `EZVIZBindStatus` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum BindStatus {
    /// Bound to an account.
    Bound,
    /// Not bound.
    NotBound,
    /// The device does not know.
    Unknown,
}

impl ProbeMatch {
    /// Decodes a `ProbeMatch` or `Hello` element.
    pub fn from_element(root: &Element) -> Result<Self> {
        const WHAT: &str = "SADP ProbeMatch";
        if root.name != "ProbeMatch" && root.name != "Hello" {
            return Err(Error::decode(
                WHAT,
                format!(
                    "expected <ProbeMatch> or <Hello>, found <{}>",
                    clip(&root.name)
                ),
            ));
        }
        let mut pm = Self {
            types: match root.text_at("Types") {
                Some(t) => ProbeType::parse(t),
                None if root.name == "Hello" => ProbeType::Hello,
                None => return Err(Error::decode(WHAT, "missing <Types>")),
            },
            uuid: root.string_at("Uuid").unwrap_or_default(),
            ..Self::default()
        };
        for child in &root.children {
            if child.name.eq_ignore_ascii_case("Uuid") || child.name.eq_ignore_ascii_case("Types") {
                continue;
            }
            // Structured children (a list) stay whole in `unknown`.
            if !child.children.is_empty() || !pm.set_from(child) {
                pm.unknown.push(child.clone());
            }
        }
        Ok(pm)
    }

    /// The element tree: `Uuid`, `Types`, then every present field in inventory order (device
    /// spellings), then the unknown elements.
    pub fn to_element(&self) -> Element {
        let mut root = Element::new(if self.types == ProbeType::Hello {
            "Hello"
        } else {
            "ProbeMatch"
        });
        if !self.uuid.is_empty() {
            root.children
                .push(Element::with_text("Uuid", self.uuid.clone()));
        }
        root.children
            .push(Element::with_text("Types", self.types.as_str()));
        self.write_fields(&mut root);
        root.children.extend(self.unknown.iter().cloned());
        root
    }

    /// True when the device says it is activated; `None` when it does not say.
    pub fn is_activated(&self) -> Option<bool> {
        self.activated
    }

    /// The admin user name to pair with a password (`UserName`, else `admin`).
    pub fn admin_user(&self) -> &str {
        self.user_name.as_deref().unwrap_or("admin")
    }

    /// The protocol generations in `SADPVersion` (`"3.0,3.1"` → `["3.0", "3.1"]`).
    pub fn sadp_versions(&self) -> Vec<&str> {
        self.sadp_version
            .as_deref()
            .map(|v| {
                v.split([',', ';', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `EZVIZBindStatus` read leniently: `1`/`bind`/`true` bound, `2`/`unbind`/`false` not bound,
    /// `0` unknown (struct values per the SDK guide; the text forms are an inference).
    pub fn bind_status(&self) -> Option<BindStatus> {
        let v = self.ezviz_bind_status.as_deref()?.trim();
        Some(match v.to_ascii_lowercase().as_str() {
            "1" | "bind" | "bound" | "true" => BindStatus::Bound,
            "2" | "unbind" | "notbind" | "notbound" | "false" | "flase" => BindStatus::NotBound,
            _ => BindStatus::Unknown,
        })
    }

    /// The "physical" add methods in `physicalAccessVerification` (1 AP provisioning, 2 user
    /// token, 3 physical button, 4 device-token QR), read from a comma list or from child
    /// elements (the list format is not public).
    pub fn physical_access_methods(&self) -> Vec<u32> {
        let from_children = self
            .unknown
            .iter()
            .filter(|e| e.name.eq_ignore_ascii_case("physicalAccessVerification"))
            .flat_map(|e| e.children.iter())
            .filter_map(|c| c.text.trim().parse().ok());
        let from_text = self
            .physical_access_verification
            .as_deref()
            .unwrap_or("")
            .split([',', ' ', ';'])
            .filter_map(|s| s.trim().parse().ok());
        from_text.chain(from_children).collect()
    }
}

#[cfg(test)]
mod tests;
