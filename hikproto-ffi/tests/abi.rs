//! Calls the exported C functions from Rust, the way a C program would.
#![allow(
    unsafe_code,
    reason = "reading C strings the library returns, as a C caller would"
)]

use std::ffi::{CStr, c_char};
use std::ptr;

use hikproto::*;

fn text(buf: &[c_char]) -> String {
    // SAFETY: the library NUL-terminates what it writes.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

fn error_message(err: *const hikproto_error) -> String {
    let mut buf = [0 as c_char; 512];
    let mut n = 0usize;
    assert_eq!(
        hikproto_error_message(err, buf.as_mut_ptr(), buf.len(), &mut n),
        hikproto_result::Ok
    );
    text(&buf)
}

#[test]
fn describe_and_names() {
    let mut buf = [0 as c_char; 128];
    let mut n = 0usize;
    let r = hikproto_result_describe(
        hikproto_result::Locked as u32,
        buf.as_mut_ptr(),
        buf.len(),
        &mut n,
    );
    assert_eq!(r, hikproto_result::Ok);
    assert!(text(&buf).contains("locked"));
    assert_eq!(n, text(&buf).len());
    // SAFETY: static NUL-terminated strings.
    let name = unsafe { CStr::from_ptr(hikproto_result_name(201)) };
    assert_eq!(name.to_str().unwrap(), "HIKPROTO_RESULT_TIMEOUT");
    let v = unsafe { CStr::from_ptr(hikproto_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn builder_round_trip_and_out_pointer_rules() {
    let mut b: *mut hikproto_device_builder = ptr::null_mut();
    assert_eq!(
        hikproto_device_builder_new(c"192.0.2.10".as_ptr(), 8443, &mut b, ptr::null_mut()),
        hikproto_result::Ok
    );
    assert_eq!(
        hikproto_device_builder_set_https(b, true, ptr::null_mut()),
        hikproto_result::Ok
    );
    assert_eq!(
        hikproto_device_builder_set_credentials(
            b,
            c"admin".as_ptr(),
            c"Passw0rd!x".as_ptr(),
            ptr::null_mut()
        ),
        hikproto_result::Ok
    );
    let mut dev: *mut hikproto_device = ptr::null_mut();
    let mut err: *mut hikproto_error = ptr::null_mut();
    assert_eq!(
        hikproto_device_builder_build(b, &mut dev, &mut err),
        hikproto_result::Ok
    );
    assert!(err.is_null());
    let mut url = [0 as c_char; 64];
    let mut n = 0usize;
    assert_eq!(
        hikproto_device_base_url(dev, url.as_mut_ptr(), url.len(), &mut n, ptr::null_mut()),
        hikproto_result::Ok
    );
    assert_eq!(text(&url), "https://192.0.2.10:8443");
    hikproto_device_free(dev);

    // a failing build leaves the out-pointer alone and explains itself
    assert_eq!(
        hikproto_device_builder_set_tls_mode(b, 1, ptr::null_mut()),
        hikproto_result::Ok
    );
    let sentinel = 0x10 as *mut hikproto_device;
    let mut dev = sentinel;
    assert_eq!(
        hikproto_device_builder_build(b, &mut dev, &mut err),
        hikproto_result::InvalidArgument
    );
    assert_eq!(dev, sentinel);
    assert!(error_message(err).contains("fingerprint"));
    hikproto_error_free(err);
    hikproto_device_builder_free(b);
}

#[test]
fn closed_port_is_a_transport_error_with_details() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut dev: *mut hikproto_device = ptr::null_mut();
    assert_eq!(
        hikproto_device_new(
            c"127.0.0.1".as_ptr(),
            port,
            c"admin".as_ptr(),
            c"Passw0rd!x".as_ptr(),
            &mut dev,
            ptr::null_mut()
        ),
        hikproto_result::Ok
    );
    let mut err: *mut hikproto_error = ptr::null_mut();
    let mut resp: *mut hikproto_response = ptr::null_mut();
    let r = hikproto_device_request(
        dev,
        c"GET".as_ptr(),
        c"/ISAPI/System/deviceInfo".as_ptr(),
        ptr::null(),
        0,
        ptr::null(),
        0,
        &mut resp,
        &mut err,
    );
    assert_eq!(r, hikproto_result::Transport);
    assert!(resp.is_null());
    assert_eq!(hikproto_error_code(err), hikproto_result::Transport);
    assert!(hikproto_error_is_retryable(err));
    let msg = error_message(err);
    assert!(msg.contains("127.0.0.1"), "{msg}");
    assert!(!msg.contains("Passw0rd"), "{msg}");
    hikproto_error_free(err);
    hikproto_device_free(dev);
}

#[test]
fn decode_to_json() {
    let doc = b"<userCheck><statusValue>401</statusValue><lockStatus>lock</lockStatus><unlockTime>1200</unlockTime></userCheck>";
    let mut buf = vec![0 as c_char; 1024];
    let mut n = 0usize;
    assert_eq!(
        hikproto_isapi_to_json(
            doc.as_ptr(),
            doc.len(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut n,
            ptr::null_mut()
        ),
        hikproto_result::Ok
    );
    let v: serde_json::Value = serde_json::from_str(&text(&buf)).unwrap();
    assert_eq!(v["typed"], true);
    assert_eq!(v["value"]["locked"], true);
    assert_eq!(v["value"]["unlockTime"], 1200);
}

#[test]
fn simulated_device_through_the_exports() {
    let mut sim: *mut hikproto_sim = ptr::null_mut();
    let mut err: *mut hikproto_error = ptr::null_mut();
    assert_eq!(
        hikproto_sim_start(2, c"Rust-Passw0rd!x".as_ptr(), 0, &mut sim, &mut err),
        hikproto_result::Ok,
        "{}",
        if err.is_null() {
            String::new()
        } else {
            error_message(err)
        }
    );
    assert_eq!(hikproto_sim_device_count(sim), 2);
    let mut port = 0u16;
    assert_eq!(
        hikproto_sim_device_port(sim, 1, &mut port, ptr::null_mut()),
        hikproto_result::Ok
    );
    assert_eq!(
        hikproto_sim_device_port(sim, 2, &mut port, ptr::null_mut()),
        hikproto_result::SimNoSuchDevice
    );
    assert_eq!(
        hikproto_sim_device_port(sim, 0, &mut port, ptr::null_mut()),
        hikproto_result::Ok
    );
    let mut serial = [0 as c_char; 64];
    let mut n = 0usize;
    assert_eq!(
        hikproto_sim_device_serial(
            sim,
            0,
            serial.as_mut_ptr(),
            serial.len(),
            &mut n,
            ptr::null_mut()
        ),
        hikproto_result::Ok
    );

    let mut dev: *mut hikproto_device = ptr::null_mut();
    assert_eq!(
        hikproto_device_new(
            c"127.0.0.1".as_ptr(),
            port,
            c"admin".as_ptr(),
            c"Rust-Passw0rd!x".as_ptr(),
            &mut dev,
            ptr::null_mut()
        ),
        hikproto_result::Ok
    );
    let mut buf = vec![0 as c_char; 8192];
    assert_eq!(
        hikproto_device_info_json(dev, buf.as_mut_ptr(), buf.len(), &mut n, &mut err),
        hikproto_result::Ok
    );
    let info: serde_json::Value = serde_json::from_str(&text(&buf)).unwrap();
    assert_eq!(info["serialNumber"], text(&serial));

    // the plan is large: the library allocates it
    let mut plan_text: *mut c_char = ptr::null_mut();
    assert_eq!(
        hikproto_device_recovery_plan_json_alloc(dev, &mut plan_text, &mut err),
        hikproto_result::Ok
    );
    // SAFETY: a NUL-terminated string from the library, released below
    let plan = unsafe { CStr::from_ptr(plan_text) }
        .to_str()
        .unwrap()
        .to_owned();
    hikproto_string_free(plan_text);
    let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
    assert!(plan.is_object(), "{plan}");

    // a refusal carries the device's status fields
    assert_eq!(
        hikproto_sim_device_set_fault(
            sim,
            0,
            HIKPROTO_SIM_FAULT_HTTP_500,
            0,
            true,
            ptr::null_mut()
        ),
        hikproto_result::Ok
    );
    assert_eq!(
        hikproto_device_get_json(
            dev,
            c"/ISAPI/System/deviceInfo".as_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut n,
            &mut err
        ),
        hikproto_result::DeviceRefused
    );
    assert_eq!(hikproto_error_http_status(err), 500);
    assert_ne!(hikproto_error_status_code(err), 0);
    hikproto_error_free(err);

    hikproto_device_free(dev);
    hikproto_sim_free(sim);
}
