//! PNG figures (plotters, bitmap backend, text by ab_glyph in DejaVu Sans, compiled in).

use crate::jobs::JobError;
use plotters::prelude::*;

/// Registers a sans-serif font once: `$ONSAGER_FONT` if it is set (a TrueType file), else the
/// DejaVu Sans compiled into the binary, so that no machine lacks one.
fn ensure_font() -> Result<(), JobError> {
    static DONE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        // plotters' ab_glyph backend needs bytes that live forever
        let bytes: &'static [u8] = match std::env::var_os("ONSAGER_FONT") {
            Some(p) => {
                let read = std::fs::read(&p).map_err(|e| format!("ONSAGER_FONT = {}: {e}", p.to_string_lossy()))?;
                Box::leak(read.into_boxed_slice())
            }
            None => dejavu::sans::regular(),
        };
        plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).map_err(|_| {
            match std::env::var_os("ONSAGER_FONT") {
                Some(_) => "ONSAGER_FONT is not a TrueType font: unset it to use the built-in DejaVu Sans".to_string(),
                None => "--plot: the built-in DejaVu Sans could not be registered".to_string(),
            }
        })
    })
    .clone()
    .map_err(JobError::Usage)
}

/// One series of points with a label.
pub struct Series<'a> {
    /// legend text
    pub label: &'a str,
    /// (x, y)
    pub points: Vec<(f64, f64)>,
    /// draw as a line (else as dots)
    pub line: bool,
    /// ± error bars of the points (dots only; empty for none)
    pub errors: Vec<f64>,
}

/// One panel: title, axis labels, series, and horizontal reference lines (value, label).
pub struct Panel<'a> {
    /// caption
    pub title: String,
    /// x axis label
    pub x_label: &'a str,
    /// y axis label
    pub y_label: &'a str,
    /// data
    pub series: Vec<Series<'a>>,
    /// y = const lines
    pub hlines: Vec<(f64, String)>,
}

fn draw_err<E: std::fmt::Display>(path: &std::path::Path) -> impl Fn(E) -> JobError + '_ {
    move |e| JobError::param("plot", format!("{}: {e}", path.display()))
}

/// The corner of the plot area (a third of each side) holding the fewest points, lower right
/// first: the legend goes there.
fn legend_corner(points: &[(f64, f64)], (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> SeriesLabelPosition {
    let corners = [
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let count = |right: bool, upper: bool| {
        points
            .iter()
            .filter(|p| {
                let (u, v) = ((p.0 - x0) / (x1 - x0), (p.1 - y0) / (y1 - y0));
                (if right { u > 0.6 } else { u < 0.4 }) && (if upper { v > 0.7 } else { v < 0.3 })
            })
            .count()
    };
    let best = corners.iter().min_by_key(|c| count(c.1, c.2)).expect("four corners");
    best.0.clone()
}

/// Writes the panels side by side into a PNG (600 × 480 pixels each).
pub fn panels(path: &std::path::Path, panels: &[Panel]) -> Result<(), JobError> {
    ensure_font()?;
    let err = draw_err(path);
    let root = BitMapBackend::new(path, (600 * panels.len() as u32, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let areas = root.split_evenly((1, panels.len()));
    let colors = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(23, 190, 207),
        RGBColor(188, 189, 34),
    ];
    let line_colors = [RGBColor(214, 39, 40), RGBColor(90, 90, 90), RGBColor(0, 0, 0)];
    for (area, p) in areas.iter().zip(panels) {
        let all: Vec<(f64, f64)> = p.series.iter().flat_map(|s| s.points.iter().copied()).collect();
        if all.is_empty() {
            continue;
        }
        let (mut x0, mut x1) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.0), a.1.max(p.0)));
        let bars =
            p.series.iter().flat_map(|s| s.points.iter().zip(&s.errors).flat_map(|(pt, e)| [pt.1 - e, pt.1 + e]));
        let ys = all.iter().map(|p| p.1).chain(p.hlines.iter().map(|h| h.0)).chain(bars);
        let (mut y0, mut y1) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |a, y| (a.0.min(y), a.1.max(y)));
        let (px, py) = (0.05 * (x1 - x0).max(1e-12), 0.08 * (y1 - y0).max(1e-12));
        x0 -= px;
        x1 += px;
        y0 -= py;
        y1 += py;
        let mut chart = ChartBuilder::on(area)
            .caption(&p.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(&err)?;
        chart
            .configure_mesh()
            .x_desc(p.x_label)
            .y_desc(p.y_label)
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(&err)?;
        for (i, (y, label)) in p.hlines.iter().enumerate() {
            let c = line_colors[i % line_colors.len()];
            chart
                .draw_series(LineSeries::new(vec![(x0, *y), (x1, *y)], c.stroke_width(1)))
                .map_err(&err)?
                .label(label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c));
        }
        for (i, s) in p.series.iter().enumerate() {
            let c = colors[i % colors.len()];
            if s.line {
                chart
                    .draw_series(LineSeries::new(s.points.clone(), c.stroke_width(2)))
                    .map_err(&err)?
                    .label(s.label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
            } else {
                chart
                    .draw_series(
                        s.points
                            .iter()
                            .zip(&s.errors)
                            .map(|(&(x, y), &e)| PathElement::new(vec![(x, y - e), (x, y + e)], c)),
                    )
                    .map_err(&err)?;
                chart
                    .draw_series(s.points.iter().map(|&pt| Circle::new(pt, 3, c.filled())))
                    .map_err(&err)?
                    .label(s.label)
                    .legend(move |(x, y)| Circle::new((x + 9, y), 3, c.filled()));
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .position(legend_corner(&all, (x0, x1), (y0, y1)))
            .draw()
            .map_err(&err)?;
    }
    root.present().map_err(&err)?;
    Ok(())
}
