//! `ocop`: the OCOP Field command line.

fn main() {
    println!("ocop");
}
