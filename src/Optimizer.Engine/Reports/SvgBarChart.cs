using System.Globalization;
using System.Text;

namespace Optimizer.Engine.Reports;

/// <summary>
/// A horizontal grouped bar chart as inline SVG: one group per label, one bar per series, each
/// bar a <c>&lt;rect class="bar"&gt;</c> with a tooltip. Drawn in C#, no script, fixed geometry,
/// so the same figures give the same markup.
/// </summary>
internal sealed class SvgBarChart
{
    private const int Width = 560;
    private const int LabelWidth = 150;
    private const int ValueWidth = 90;
    private const int PlotWidth = Width - LabelWidth - ValueWidth - 10;
    private const int BarHeight = 14;
    private const int BarGap = 2;
    private const int GroupGap = 10;
    private const int Top = 34;

    public required string Id { get; init; }
    public required string Title { get; init; }
    public required IReadOnlyList<(string Name, string CssClass)> Series { get; init; }
    public required IReadOnlyList<(string Label, double?[] Values)> Groups { get; init; }
    public required Func<double, string> Format { get; init; }

    /// <summary>The value that fills the plot width (e.g. 1 for fractions); the largest value when null.</summary>
    public double? Max { get; init; }

    public string Render()
    {
        var max = Max ?? Groups.SelectMany(g => g.Values).Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).DefaultIfEmpty(0).Max();
        if (max <= 0)
            max = 1;
        var groupHeight = Series.Count * (BarHeight + BarGap) - BarGap;
        var height = Top + Groups.Count * (groupHeight + GroupGap) + 8;
        var svg = new StringBuilder();
        svg.Append(Html.Invariant($"<svg class=\"chart\" data-chart=\"{Html.Encode(Id)}\" role=\"img\" aria-label=\"{Html.Encode(Title)}\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\">\n"));
        svg.Append(Html.Invariant($"<text class=\"chart-title\" x=\"0\" y=\"14\">{Html.Encode(Title)}</text>\n"));

        // Legend, right-aligned on the title line.
        var legendWidths = Series.Select(series => 20 + 7 * series.Name.Length).ToList();
        var legendX = Width - legendWidths.Sum();
        foreach (var (series, i) in Series.Select((s, i) => (s, i)))
        {
            var x = legendX + legendWidths.Take(i).Sum();
            svg.Append(Html.Invariant($"<rect class=\"legend {series.CssClass}\" x=\"{x}\" y=\"5\" width=\"10\" height=\"10\"/><text class=\"legend-text\" x=\"{x + 14}\" y=\"14\">{Html.Encode(series.Name)}</text>\n"));
        }

        svg.Append(Html.Invariant($"<line class=\"axis\" x1=\"{LabelWidth}\" y1=\"{Top - 6}\" x2=\"{LabelWidth}\" y2=\"{height - 4}\"/>\n"));
        var y = Top;
        foreach (var (label, values) in Groups)
        {
            var shown = label.Length > 21 ? label[..20] + "…" : label;
            svg.Append(Html.Invariant($"<text class=\"label\" x=\"{LabelWidth - 6}\" y=\"{y + groupHeight / 2.0 + 4:0.#}\" text-anchor=\"end\"><title>{Html.Encode(label)}</title>{Html.Encode(shown)}</text>\n"));
            for (var s = 0; s < Series.Count; s++)
            {
                var barY = y + s * (BarHeight + BarGap);
                if (s < values.Length && values[s] is { } value && double.IsFinite(value))
                {
                    // A non-zero value is never thinner than a pixel, so it stays visible.
                    var width = value <= 0 ? 0 : Math.Max(1, Math.Min(1, value / max) * PlotWidth);
                    svg.Append(Html.Invariant($"<rect class=\"bar {Series[s].CssClass}\" x=\"{LabelWidth}\" y=\"{barY}\" width=\"{width:0.##}\" height=\"{BarHeight}\" data-value=\"{value:R}\"><title>{Html.Encode(label)} {Html.Encode(Series[s].Name)}: {Html.Encode(Format(value))}</title></rect>"));
                    svg.Append(Html.Invariant($"<text class=\"value\" x=\"{LabelWidth + width + 4:0.##}\" y=\"{barY + BarHeight - 3}\">{Html.Encode(Format(value))}</text>\n"));
                }
                else
                {
                    svg.Append(Html.Invariant($"<text class=\"value\" x=\"{LabelWidth + 4}\" y=\"{barY + BarHeight - 3}\">–</text>\n"));
                }
            }

            y += groupHeight + GroupGap;
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }
}

/// <summary>HTML text escaping and invariant formatting.</summary>
internal static class Html
{
    public static string Encode(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
