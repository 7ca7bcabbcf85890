//! Binary (legacy) SADP over raw Ethernet, EtherType 0x8033 (reference §1.8): codec only.
//!
//! hikproto opens no raw sockets; these functions build and parse frames for tools that capture
//! or inject them (pcap, `AF_PACKET`) and for dissector tests.
//!
//! Layout: a 14-byte Ethernet II header, then the 38-byte SADP header, then the payload:
//!
//! | off | size | field |
//! |---|---|---|
//! | 0 | 1 | identifier 0x21 |
//! | 1 | 1 | version (1 or 2) |
//! | 2 | 1 | series (1) |
//! | 3 | 1 | total SADP length (header + payload) — an inference from the sizes seen (66 for an inquiry, 246 for its reply) |
//! | 4 | 4 | sequence, big-endian |
//! | 8 | 1 | hardware-address length (6) |
//! | 9 | 1 | protocol-address length (4) |
//! | 10 | 1 | operation type ([`OpType`]) |
//! | 11 | 1 | operation code (sub-result) |
//! | 12 | 2 | checksum: RFC 1071 one's-complement sum over the SADP part, big-endian |
//! | 14 | 6 | source MAC |
//! | 20 | 4 | source IPv4 |
//! | 24 | 6 | destination MAC |
//! | 30 | 4 | destination IPv4 |
//! | 34 | 4 | subnet mask |
//!
//! Strictness follows the reference's confidence (sadp-reset-hikconnect.md §1.8): the identifier,
//! the address lengths, the header layout and the checksum are **\[code\]** (a device-side
//! implementation and a dissector agree) and are enforced; the meaning of byte 3 as the length is
//! **\[inferred\]** from two sizes (66 and 246), and newer devices append an extension to the
//! inquiry reply that can take the SADP part beyond 255 bytes, which one byte cannot describe.
//! So the parser does not trust the length byte: it takes the length the checksum confirms (the
//! length byte, the byte plus a multiple of 256 for a part longer than 255 bytes, or everything
//! after the Ethernet header), says in [`ParsedFrame::length_agrees`] whether the byte matched,
//! and keeps the whole payload. The builder writes the length's low byte.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};

use super::mac::MacAddr;

/// The EtherType of binary SADP.
pub const ETHERTYPE: u16 = 0x8033;
/// Length of the Ethernet II header.
pub const ETHERNET_HEADER_LEN: usize = 14;
/// Length of the SADP header.
pub const HEADER_LEN: usize = 38;
/// The identifier byte every SADP header starts with.
pub const IDENTIFIER: u8 = 0x21;
/// The longest SADP part read or written (a standard Ethernet payload).
pub const MAX_SADP_LEN: usize = 1500;
/// Size of the fixed part of an inquiry reply's device information.
pub const DEVICE_INFO_LEN: usize = 208;

const WHAT: &str = "binary SADP frame";

/// The operation-type byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpType(pub u8);

impl OpType {
    /// 1: ARQ.
    pub const ARQ: Self = Self(1);
    /// 2: AQR (one dissector labels it "device online").
    pub const AQR: Self = Self(2);
    /// 3: inquiry (AIQ).
    pub const INQUIRY: Self = Self(3);
    /// 4: inquiry reply (IQR).
    pub const INQUIRY_REPLY: Self = Self(4);
    /// 5: IAR.
    pub const IAR: Self = Self(5);
    /// 6: update-IP request (UIR).
    pub const UPDATE_IP: Self = Self(6);
    /// 7: update-IP acknowledgement (opcode 1 fail, 2 success).
    pub const UPDATE_IP_ACK: Self = Self(7);
    /// 0x0a: restore-default-password request.
    pub const RESTORE_PASSWORD: Self = Self(0x0a);
    /// 0x0b: restore-default-password acknowledgement (opcode 1 OK, 2 failure).
    pub const RESTORE_PASSWORD_ACK: Self = Self(0x0b);
    /// 0x0c: CMS information.
    pub const CMS_INFO: Self = Self(0x0c);
    /// 0x0d: CMS information acknowledgement.
    pub const CMS_INFO_ACK: Self = Self(0x0d);
    /// 0x10: modify network parameters.
    pub const MODIFY_NET_PARAM: Self = Self(0x10);
    /// 0x11: modify network parameters acknowledgement.
    pub const MODIFY_NET_PARAM_ACK: Self = Self(0x11);
}

/// The 38-byte SADP header (the length and checksum are computed by [`Frame::encode`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Version byte (1 or 2).
    pub version: u8,
    /// Series byte (1).
    pub series: u8,
    /// Sequence counter.
    pub sequence: u32,
    /// Operation type.
    pub optype: OpType,
    /// Operation code (sub-result).
    pub opcode: u8,
    /// Source MAC.
    pub src_mac: MacAddr,
    /// Source IPv4.
    pub src_ip: Ipv4Addr,
    /// Destination MAC.
    pub dst_mac: MacAddr,
    /// Destination IPv4.
    pub dst_ip: Ipv4Addr,
    /// Subnet mask.
    pub subnet_mask: Ipv4Addr,
}

/// A whole Ethernet frame carrying binary SADP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Ethernet destination (usually broadcast).
    pub eth_dst: MacAddr,
    /// Ethernet source.
    pub eth_src: MacAddr,
    /// The SADP header.
    pub header: Header,
    /// The payload after the header.
    pub payload: Vec<u8>,
}

/// A frame as parsed, with the wire values the encoder computes itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFrame {
    /// The frame.
    pub frame: Frame,
    /// The length byte as sent.
    pub length: u8,
    /// The checksum as sent.
    pub checksum: u16,
    /// Whether the checksum verifies.
    pub checksum_valid: bool,
    /// Whether the length byte described the SADP part taken (false for an extension beyond
    /// 255 bytes, or a byte that disagrees with the frame).
    pub length_agrees: bool,
}

/// The RFC 1071 Internet checksum of `data` (big-endian 16-bit words, odd byte padded with zero).
pub fn checksum(data: &[u8]) -> u16 {
    !fold(sum(data))
}

fn sum(data: &[u8]) -> u32 {
    let mut s: u32 = 0;
    let mut chunks = data.chunks_exact(2);
    for w in &mut chunks {
        s = s.wrapping_add(u32::from(u16::from_be_bytes([w[0], w[1]])));
        if s > 0xffff_0000 {
            s = (s & 0xffff) + (s >> 16);
        }
    }
    if let [last] = chunks.remainder() {
        s = s.wrapping_add(u32::from(*last) << 8);
    }
    s
}

fn fold(mut s: u32) -> u16 {
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    s as u16
}

fn mac_at(b: &[u8], off: usize) -> MacAddr {
    let mut m = [0u8; 6];
    m.copy_from_slice(&b[off..off + 6]);
    MacAddr(m)
}

fn ip_at(b: &[u8], off: usize) -> Ipv4Addr {
    Ipv4Addr::new(b[off], b[off + 1], b[off + 2], b[off + 3])
}

impl Frame {
    /// An inquiry: `payload` = the client's IPv6 address and 12 zero bytes (28 bytes).
    pub fn inquiry(
        src_mac: MacAddr,
        src_ip: Ipv4Addr,
        subnet_mask: Ipv4Addr,
        sequence: u32,
        client_ipv6: Ipv6Addr,
    ) -> Self {
        let mut payload = Vec::with_capacity(28);
        payload.extend_from_slice(&client_ipv6.octets());
        payload.extend_from_slice(&[0u8; 12]);
        Self {
            eth_dst: MacAddr::BROADCAST,
            eth_src: src_mac,
            header: Header {
                version: 2,
                series: 1,
                sequence,
                optype: OpType::INQUIRY,
                opcode: 0,
                src_mac,
                src_ip,
                dst_mac: MacAddr::BROADCAST,
                dst_ip: Ipv4Addr::BROADCAST,
                subnet_mask,
            },
            payload,
        }
    }

    /// Encodes the whole Ethernet frame, computing the length byte and the checksum.
    ///
    /// A SADP part longer than 255 bytes (an inquiry reply with the extension) gets the low byte
    /// of its length, which the parser accepts (the byte's meaning is inferred, see the module
    /// documentation); one longer than [`MAX_SADP_LEN`] is refused.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let sadp_len = HEADER_LEN + self.payload.len();
        if sadp_len > MAX_SADP_LEN {
            return Err(Error::invalid(format!(
                "binary SADP payload too long: {sadp_len} bytes exceed an Ethernet frame"
            )));
        }
        let length = (sadp_len & 0xff) as u8;
        let h = &self.header;
        let mut out = Vec::with_capacity(ETHERNET_HEADER_LEN + sadp_len);
        out.extend_from_slice(&self.eth_dst.0);
        out.extend_from_slice(&self.eth_src.0);
        out.extend_from_slice(&ETHERTYPE.to_be_bytes());
        let start = out.len();
        out.extend_from_slice(&[IDENTIFIER, h.version, h.series, length]);
        out.extend_from_slice(&h.sequence.to_be_bytes());
        out.extend_from_slice(&[6, 4, h.optype.0, h.opcode, 0, 0]);
        out.extend_from_slice(&h.src_mac.0);
        out.extend_from_slice(&h.src_ip.octets());
        out.extend_from_slice(&h.dst_mac.0);
        out.extend_from_slice(&h.dst_ip.octets());
        out.extend_from_slice(&h.subnet_mask.octets());
        out.extend_from_slice(&self.payload);
        let c = checksum(&out[start..]);
        out[start + 12..start + 14].copy_from_slice(&c.to_be_bytes());
        Ok(out)
    }

    /// Parses a frame and requires a valid checksum.
    pub fn parse(frame: &[u8]) -> Result<Self> {
        let p = Self::parse_lenient(frame)?;
        if !p.checksum_valid {
            return Err(Error::decode(WHAT, "checksum mismatch"));
        }
        Ok(p.frame)
    }

    /// Parses a frame and reports (rather than rejects) a bad checksum.
    pub fn parse_lenient(frame: &[u8]) -> Result<ParsedFrame> {
        if frame.len() < ETHERNET_HEADER_LEN + HEADER_LEN {
            return Err(Error::decode(
                WHAT,
                "shorter than the Ethernet and SADP headers",
            ));
        }
        let ethertype = u16::from_be_bytes([frame[12], frame[13]]);
        if ethertype != ETHERTYPE {
            return Err(Error::decode(
                WHAT,
                format!("EtherType 0x{ethertype:04x} is not 0x8033"),
            ));
        }
        let s = &frame[ETHERNET_HEADER_LEN..];
        if s[0] != IDENTIFIER {
            return Err(Error::decode(
                WHAT,
                format!("identifier 0x{:02x} is not 0x21", s[0]),
            ));
        }
        if s[8] != 6 || s[9] != 4 {
            return Err(Error::decode(WHAT, "address lengths are not 6 and 4"));
        }
        let length = s[3];
        let s = &s[..s.len().min(MAX_SADP_LEN)];
        let (len, checksum_valid) = sadp_extent(s, length);
        let length_agrees = len == usize::from(length);
        let sadp = &s[..len];
        let checksum = u16::from_be_bytes([s[12], s[13]]);
        Ok(ParsedFrame {
            frame: Self {
                eth_dst: mac_at(frame, 0),
                eth_src: mac_at(frame, 6),
                header: Header {
                    version: s[1],
                    series: s[2],
                    sequence: u32::from_be_bytes([s[4], s[5], s[6], s[7]]),
                    optype: OpType(s[10]),
                    opcode: s[11],
                    src_mac: mac_at(s, 14),
                    src_ip: ip_at(s, 20),
                    dst_mac: mac_at(s, 24),
                    dst_ip: ip_at(s, 30),
                    subnet_mask: ip_at(s, 34),
                },
                payload: sadp[HEADER_LEN..].to_vec(),
            },
            length,
            checksum,
            checksum_valid,
            length_agrees,
        })
    }
}

/// How many bytes of `s` (everything after the Ethernet header) are the SADP part, and whether
/// the checksum verifies over them.
///
/// The candidates, in order: the length byte as sent (when it covers the header and fits), the
/// byte plus multiples of 256 (a part longer than 255 bytes), then everything present (the
/// reference marks the length byte as inferred). The first candidate the checksum confirms wins;
/// when none does, the first plausible one is taken and the checksum reported invalid. Trailing
/// zero padding does not change the sum, so the length byte is preferred over the whole frame.
fn sadp_extent(s: &[u8], length: u8) -> (usize, bool) {
    let verifies = |n: usize| fold(sum(&s[..n])) == 0xffff;
    let mut candidates = (0..)
        .map(|k| usize::from(length) + 256 * k)
        .take_while(|&n| n <= s.len())
        .filter(|&n| n >= HEADER_LEN)
        .chain(std::iter::once(s.len()));
    let first = candidates.next().unwrap_or(s.len());
    if verifies(first) {
        return (first, true);
    }
    candidates
        .find(|&n| verifies(n))
        .map_or((first, false), |n| (n, true))
}

/// The device information of an inquiry reply (the fixed 208 bytes; newer devices append more).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceInfo {
    /// Serial number (48 bytes, NUL-terminated).
    pub serial: String,
    /// Numeric device type.
    pub device_type: u32,
    /// Command port.
    pub port: u32,
    /// Number of encoders (channels).
    pub encoders: u32,
    /// Number of disks.
    pub disks: u32,
    /// Software version (48 bytes).
    pub software_version: String,
    /// DSP version (48 bytes).
    pub dsp_version: String,
    /// Start (boot) time (48 bytes).
    pub start_time: String,
    /// Bytes after the fixed part (the newer extension: gateway, IPv6, DHCP, HTTP port, …), raw.
    pub extension: Vec<u8>,
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn put_cstr(out: &mut Vec<u8>, s: &str, width: usize) -> Result<()> {
    if s.len() >= width {
        return Err(Error::invalid(format!("{s:?} does not fit {width} bytes")));
    }
    out.extend_from_slice(s.as_bytes());
    out.resize(out.len() + width - s.len(), 0);
    Ok(())
}

impl DeviceInfo {
    /// Parses an inquiry-reply payload.
    pub fn parse(payload: &[u8]) -> Result<Self> {
        if payload.len() < DEVICE_INFO_LEN {
            return Err(Error::decode(
                WHAT,
                "inquiry reply payload shorter than 208 bytes",
            ));
        }
        let u = |o: usize| {
            u32::from_be_bytes([payload[o], payload[o + 1], payload[o + 2], payload[o + 3]])
        };
        Ok(Self {
            serial: cstr(&payload[0..48]),
            device_type: u(48),
            port: u(52),
            encoders: u(56),
            disks: u(60),
            software_version: cstr(&payload[64..112]),
            dsp_version: cstr(&payload[112..160]),
            start_time: cstr(&payload[160..208]),
            extension: payload[DEVICE_INFO_LEN..].to_vec(),
        })
    }

    /// Encodes the payload (fixed part, then the extension bytes).
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(DEVICE_INFO_LEN + self.extension.len());
        put_cstr(&mut out, &self.serial, 48)?;
        for n in [self.device_type, self.port, self.encoders, self.disks] {
            out.extend_from_slice(&n.to_be_bytes());
        }
        put_cstr(&mut out, &self.software_version, 48)?;
        put_cstr(&mut out, &self.dsp_version, 48)?;
        put_cstr(&mut out, &self.start_time, 48)?;
        out.extend_from_slice(&self.extension);
        Ok(out)
    }
}

/// The client IPv6 address carried by an inquiry payload.
pub fn inquiry_client_ipv6(payload: &[u8]) -> Result<Ipv6Addr> {
    let b: [u8; 16] = payload
        .get(..16)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| Error::decode(WHAT, "inquiry payload shorter than 16 bytes"))?;
    Ok(Ipv6Addr::from(b))
}

#[cfg(test)]
mod tests;
