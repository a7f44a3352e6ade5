use onsager_exact::microcanonical::{energy_counts, plan};
use onsager_models::{Model, Torus};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let model = match a[1].as_str() {
        "ising" => Model::Ising,
        "potts" => Model::Potts { q: a[2].parse().unwrap() },
        _ => Model::Clock { q: a[2].parse().unwrap() },
    };
    let dims: Vec<usize> = a[3].split('x').map(|x| x.parse().unwrap()).collect();
    let t = Torus::new(&dims).unwrap();
    let p = plan(model, &t, rayon::current_num_threads()).unwrap();
    println!("{p:?}");
    let t0 = std::time::Instant::now();
    let r = energy_counts(model, &t, &|i, n| {
        if i % 50 == 0 {
            eprintln!("{i}/{n} {:.1}s", t0.elapsed().as_secs_f64())
        }
    })
    .unwrap();
    println!("{} levels, {:.2}s", r.levels().len(), t0.elapsed().as_secs_f64());
}
