// The Rust subject of the same-seed tests (rr_cases.sh rust_seed): reads
// the file named by its argument, counts its words in threads, fills a
// HashMap (std's RandomState keys come from getrandom, so its iteration
// order is random), reads /dev/urandom, the wall clock (SystemTime: the
// host's time at the start of a run, or --epoch's) and a monotonic sleep.
use std::collections::HashMap;
use std::io::Read;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let path = std::env::args().nth(1).expect("usage: rust_rr FILE");
    let data = std::fs::read_to_string(&path).expect("read");
    let handles: Vec<_> = data
        .split('\n')
        .map(|l| {
            let l = l.to_string();
            thread::spawn(move || l.split_whitespace().count())
        })
        .collect();
    let words: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let mut m = HashMap::new();
    for w in data.split_whitespace() {
        m.insert(w.to_string(), w.len());
    }
    let order: Vec<&String> = m.keys().collect();
    let mut b = [0u8; 8];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .expect("urandom");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let t0 = Instant::now();
    thread::sleep(Duration::from_millis(10));
    let slept = t0.elapsed() >= Duration::from_millis(10);
    println!("words {} order {:?}", words, order);
    println!("urandom {:02x?}", b);
    println!("now {}.{:09} slept {}", now.as_secs(), now.subsec_nanos(), slept);
}
