using System.Text;

namespace Optimizer.Engine.Reports;

/// <summary>
/// Renders a <see cref="ModelReport"/> as one self-contained HTML page: inline CSS, charts as
/// inline SVG drawn here, no script, no fonts, images or anything else fetched (a Content
/// Security Policy forbids it). Deterministic: the same report gives the same bytes.
/// Each chart is an <c>&lt;svg data-chart="…"&gt;</c> of <c>&lt;rect class="bar"&gt;</c>s:
/// <c>size</c>, <c>latency</c> (when measured), <c>accuracy</c> (when measured),
/// <c>layer-sparsity</c>, <c>layer-params</c> and <c>layer-error</c> (when measured).
/// </summary>
public static class HtmlReportWriter
{
    public static byte[] ToBytes(ModelReport report) => new UTF8Encoding(false).GetBytes(Write(report));

    public static string Write(ModelReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var h = new StringBuilder();
        void Line(string text) => h.Append(text).Append('\n');
        string E(string text) => Html.Encode(text);

        Line("<!DOCTYPE html>");
        Line("<html lang=\"en\">");
        Line("<head>");
        Line("<meta charset=\"utf-8\">");
        Line("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        Line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        Line($"<title>{E(report.ModelName)} — optimization report</title>");
        Line("<style>" + Css + "</style>");
        Line("</head>");
        Line("<body>");
        Line("<header>");
        Line($"<h1>{E(report.ModelName)} <span class=\"muted\">optimization report</span></h1>");
        Line($"<p class=\"headline\">{E(ReportFormat.Headline(report))}</p>");
        Line("<div class=\"cards\">");
        Card("Size", $"{ReportFormat.Size(report.SizeBefore)} → {ReportFormat.Size(report.SizeAfter)}", ReportFormat.SignedPercent(report.SizeChange), report.SizeAfter <= report.SizeBefore);
        Card("Parameters", $"{ReportFormat.Short(report.Before.Parameters)} → {ReportFormat.Short(report.After.Parameters)}", null, true);
        Card("FLOPs / sample", $"{ReportFormat.Short(report.Before.Flops)} → {ReportFormat.Short(report.After.Flops)}", null, true);
        Card("Weight sparsity", $"{ReportFormat.Percent(report.Before.WeightSparsity)} → {ReportFormat.Percent(report.After.WeightSparsity)}", null, true);
        var quantized = report.Layers.Count(l => l.Quantized);
        Card("Quantized layers", $"{quantized} of {report.Layers.Count}", null, true);
        if (report.Fidelity is { Top1Before: { } b, Top1After: { } a } fidelity)
        {
            var within = fidelity.MaxDrop is not { } budget || b - a <= budget;
            Card("Top-1 accuracy", $"{ReportFormat.Percent(b, "0.00")} → {ReportFormat.Percent(a, "0.00")}",
                fidelity.MaxDrop is { } m ? $"budget {ReportFormat.Percent(m, "0.##")}" : null, within);
        }
        else if (report.Fidelity?.Agreement is { } agreement)
        {
            Card("Agreement", ReportFormat.Percent(agreement, "0.00"), null, true);
        }

        if (report.Latency is { } latency)
            ToneCard($"Latency p50 ({latency.BeforeLabel} → {latency.AfterLabel})", $"{ReportFormat.Milliseconds(latency.BeforeMs)} → {ReportFormat.Milliseconds(latency.AfterMs)}",
                ReportFormat.Ratio(latency) + (latency.Decision is { } kept ? " · " + kept.Split(':')[0] : ""),
                LatencyTone(latency));
        if (report.Elapsed is { } elapsed)
            Card("Time spent", ReportFormat.Seconds(elapsed), null, true);
        Line("</div>");
        Line("</header>");

        Line("<main>");
        Line("<section class=\"charts\">");
        foreach (var chart in Charts(report))
            Line("<figure>" + chart + "</figure>");
        Line("</section>");

        Line("<section>");
        Line("<h2>Plan</h2>");
        if (report.Plan.Count == 0)
            Line("<p>No passes requested (clean-up and fusion only).</p>");
        else
        {
            Line("<ol class=\"plan\">");
            foreach (var entry in report.Plan)
                Line($"<li><strong>{E(entry.Pass)}</strong> <code>{E(ReportFormat.Options(entry.Options))}</code></li>");
            Line("</ol>");
        }

        Line("<h2>Passes</h2>");
        Line("<table><thead><tr><th>pass</th><th>summary</th><th class=\"num\">changed</th><th class=\"num\">skipped</th></tr></thead><tbody>");
        foreach (var pass in report.Passes)
            Line($"<tr><td>{E(pass.Pass)}</td><td>{E(pass.Summary)}</td><td class=\"num\">{pass.Changed}</td><td class=\"num\">{pass.Skipped}</td></tr>");
        Line("</tbody></table>");
        if (report.TrainingEpochs.Count > 0)
        {
            Line("<h2>Training</h2>");
            Line("<ul>" + string.Concat(report.TrainingEpochs.Select(epoch => $"<li>{E(epoch)}</li>")) + "</ul>");
        }
        Line("</section>");

        if (report.Latency is { } timing)
        {
            Line("<section>");
            Line("<h2>Latency</h2>");
            var facts = new List<string> { $"{E(timing.BeforeLabel)}: p50 {ReportFormat.Milliseconds(timing.BeforeMs)}{Tail(timing.BeforeP90Ms, timing.BeforeP99Ms)}; {E(timing.AfterLabel)}: p50 {ReportFormat.Milliseconds(timing.AfterMs)}{Tail(timing.AfterP90Ms, timing.AfterP99Ms)} ({E(ReportFormat.Ratio(timing))})." };
            if (timing.Decision is { } decision)
                facts.Add($"<strong>{E(decision)}</strong>.");
            if (timing.Note is { } note)
                facts.Add($"Measured with {E(note)}.");
            Line("<p>" + string.Join(" ", facts) + "</p>");
            Line("</section>");
        }

        if (report.AutoPath is { } auto)
            Line($"<section><h2>Execution path (Auto)</h2><p>{E(auto)}.</p></section>");

        if (report.Fidelity is { } f)
        {
            Line("<section>");
            Line("<h2>Fidelity</h2>");
            var facts = new List<string>();
            if (f.DataSource is { } data)
                facts.Add($"Compared on {E(data)}.");
            if (f.Agreement is { } agree)
                facts.Add($"Agreement with the original (same arg-max): <strong>{ReportFormat.Percent(agree, "0.00")}</strong>.");
            if (f.IsEstimate)
                facts.Add("These figures come from generated inputs: an estimate. Declare Validation data for real figures.");
            if (f.MaxDrop is { } budget)
                facts.Add($"Accuracy budget: drop of at most {ReportFormat.Percent(budget, "0.##")}.");
            if (f.MinCosine is { } minCosine)
                facts.Add($"Fidelity budget: cosine of at least {ReportFormat.Number(minCosine)} per sample.");
            if (f.RevertedLayers is { Count: > 0 } reverted)
                facts.Add($"Reverted to fp32 to hold the budget: {E(string.Join(", ", reverted))}.");
            if (facts.Count > 0)
                Line("<p>" + string.Join(" ", facts) + "</p>");
            if (f.Outputs.Count > 0)
            {
                Line("<table><thead><tr><th>output</th><th class=\"num\">max abs error</th><th class=\"num\">cosine</th><th class=\"num\">SQNR (dB)</th>" +
                    "<th class=\"num\">cosine min</th><th class=\"num\">cosine mean</th><th class=\"num\">pooled cosine min</th><th class=\"num\">pooled cosine mean</th></tr></thead><tbody>");
                foreach (var o in f.Outputs)
                {
                    Line($"<tr><td>{E(o.Output)}</td><td class=\"num\">{ReportFormat.Error(o.MaxAbsError)}</td><td class=\"num\">{ReportFormat.Number(o.Cosine, "0.000000")}</td><td class=\"num\">{ReportFormat.Number(o.SqnrDb, "0.0")}</td>" +
                        $"<td class=\"num\">{ReportFormat.Number(o.CosineMin, "0.000000")}</td><td class=\"num\">{ReportFormat.Number(o.CosineMean, "0.000000")}</td><td class=\"num\">{ReportFormat.Number(o.PooledCosineMin, "0.000000")}</td><td class=\"num\">{ReportFormat.Number(o.PooledCosineMean, "0.000000")}</td></tr>");
                }
                Line("</tbody></table>");
            }

            Line("</section>");
        }

        Line("<section>");
        Line("<h2>Layers</h2>");
        Line("<table class=\"layers\"><thead><tr><th>layer</th><th>op</th><th class=\"num\">params before</th><th class=\"num\">params after</th><th class=\"num\">FLOPs</th>" +
             $"<th class=\"num\">sparsity before</th><th class=\"num\">sparsity after</th><th>quantized</th>{(report.HasLayerErrors ? $"<th class=\"num\">{E(report.ErrorMetric)}</th>" : "")}<th>why / what the passes did</th></tr></thead><tbody>");
        foreach (var l in report.Layers)
        {
            var op = l.OptimizedOp is { } o && o != l.Op ? $"{E(l.Op)} → {E(o)}" : E(l.Op);
            var q = l.Quantized ? $"<span class=\"yes\">yes</span> <span class=\"muted\">{E(l.WeightType ?? "")}</span>" : "<span class=\"no\">no</span>";
            Line($"<tr><td><code>{E(l.Name)}</code></td><td>{op}</td><td class=\"num\">{ReportFormat.Count(l.ParamsBefore)}</td><td class=\"num\">{ReportFormat.Count(l.ParamsAfter)}</td>" +
                 $"<td class=\"num\">{ReportFormat.Count(l.FlopsAfter ?? l.FlopsBefore)}</td><td class=\"num\">{ReportFormat.Percent(l.SparsityBefore)}</td><td class=\"num\">{ReportFormat.Percent(l.SparsityAfter)}</td>" +
                 $"<td>{q}</td>{(report.HasLayerErrors ? $"<td class=\"num\">{ReportFormat.Error(l.Error)}</td>" : "")}<td class=\"note\">{E(l.Note)}</td></tr>");
        }

        Line("</tbody></table>");
        Line("<h2>Operators</h2>");
        Line("<table class=\"ops\"><thead><tr><th>op</th><th class=\"num\">before</th><th class=\"num\">after</th></tr></thead><tbody>");
        foreach (var op in report.Before.OpCounts.Select(p => p.Key).Union(report.After.OpCounts.Select(p => p.Key)).Order(StringComparer.Ordinal))
            Line($"<tr><td>{E(op)}</td><td class=\"num\">{Lookup(report.Before, op)}</td><td class=\"num\">{Lookup(report.After, op)}</td></tr>");
        Line("</tbody></table>");
        Line("</section>");

        Line("<section>");
        Line("<h2>Provenance</h2>");
        Line("<dl class=\"provenance\">");
        Line($"<dt>model</dt><dd><code>{E(report.ModelPath)}</code></dd>");
        Line($"<dt>source SHA-256</dt><dd><code class=\"hash\">{E(report.SourceSha256)}</code></dd>");
        Line($"<dt>optimized SHA-256</dt><dd><code class=\"hash\">{E(report.OptimizedSha256)}</code></dd>");
        Line($"<dt>engine</dt><dd>Optimizer.Build {E(report.EngineVersion)}</dd>");
        if (report.GeneratedAt is { } at)
            Line($"<dt>generated</dt><dd>{E(at)}</dd>");
        Line("</dl>");
        Line("</section>");
        Line("</main>");
        Line("</body>");
        Line("</html>");
        return h.ToString();

        string Tail(double? p90, double? p99) =>
            (p90 is { } a ? $", p90 {ReportFormat.Milliseconds(a)}" : "") + (p99 is { } b ? $", p99 {ReportFormat.Milliseconds(b)}" : "");

        void Card(string title, string value, string? detail, bool good) => ToneCard(title, value, detail, good ? "good" : "bad");

        void ToneCard(string title, string value, string? detail, string tone) =>
            Line($"<div class=\"card\"><div class=\"card-title\">{E(title)}</div><div class=\"card-value\">{E(value)}</div>" +
                 (detail is null ? "" : $"<div class=\"card-detail {tone}\">{E(detail)}</div>") + "</div>");
    }

    /// <summary>
    /// The latency card's colour: green when the optimized model is faster, amber when it is slower
    /// but the speed-up gate decided which one ships, red for a plain slowdown.
    /// </summary>
    internal static string LatencyTone(LatencyFigures latency) =>
        latency.AfterMs <= latency.BeforeMs ? "good" : latency.Decision is not null ? "warn" : "bad";

    /// <summary>The charts this report has data for, in page order.</summary>
    internal static IEnumerable<string> Charts(ModelReport report)
    {
        (string, string)[] beforeAfter = [("before", "before"), ("after", "after")];
        yield return new SvgBarChart
        {
            Id = "size", Title = "Model size", Series = beforeAfter,
            Groups = [("model file", [report.SizeBefore, report.SizeAfter])],
            Format = v => ReportFormat.Size((long)v),
        }.Render();
        if (report.Latency is { } latency)
        {
            var groups = new List<(string, double?[])> { ("p50", [latency.BeforeMs, latency.AfterMs]) };
            if (latency.BeforeP90Ms is not null || latency.AfterP90Ms is not null)
                groups.Add(("p90", [latency.BeforeP90Ms, latency.AfterP90Ms]));
            if (latency.BeforeP99Ms is not null || latency.AfterP99Ms is not null)
                groups.Add(("p99", [latency.BeforeP99Ms, latency.AfterP99Ms]));
            yield return new SvgBarChart
            {
                Id = "latency", Title = "Latency per run (batch as timed)", Series = [(latency.BeforeLabel, "before"), (latency.AfterLabel, "after")],
                Groups = groups,
                Format = ReportFormat.Milliseconds,
            }.Render();
        }

        if (report.Fidelity is { } f && (f.Top1Before is not null || f.Top1After is not null))
        {
            yield return new SvgBarChart
            {
                Id = "accuracy", Title = "Top-1 accuracy", Series = beforeAfter, Max = 1,
                Groups = [("top-1", [f.Top1Before, f.Top1After])],
                Format = v => ReportFormat.Percent(v, "0.00"),
            }.Render();
        }

        if (report.Layers.Count > 0)
        {
            yield return new SvgBarChart
            {
                Id = "layer-sparsity", Title = "Weight sparsity per layer", Series = beforeAfter, Max = 1,
                Groups = report.Layers.Select(l => (l.Name, new[] { l.SparsityBefore, l.SparsityAfter })).ToList(),
                Format = v => ReportFormat.Percent(v),
            }.Render();
            yield return new SvgBarChart
            {
                Id = "layer-params", Title = "Parameters per layer", Series = beforeAfter,
                Groups = report.Layers.Select(l => (l.Name, new double?[] { l.ParamsBefore, l.ParamsAfter })).ToList(),
                Format = v => ReportFormat.Count((long)v),
            }.Render();
        }

        if (report.Layers.Any(l => l.Error is not null))
        {
            yield return new SvgBarChart
            {
                Id = "layer-error", Title = $"Per-layer {report.ErrorMetric}", Series = [(report.ErrorMetric, "error")],
                Groups = report.Layers.Select(l => (l.Name, new[] { l.Error })).ToList(),
                Format = v => ReportFormat.Error(v),
            }.Render();
        }
    }

    private static int Lookup(ModelTotals totals, string op) => totals.OpCounts.FirstOrDefault(p => p.Key == op).Value;

    private const string Css = """

        :root { color-scheme: light; --fg: #1f2933; --muted: #616e7c; --line: #e4e7eb; --before: #9aa5b1; --after: #2563eb; --error: #dc2626; --good: #047857; --warn: #b45309; --bad: #b91c1c; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #f5f7fa; }
        header { background: #fff; border-bottom: 1px solid var(--line); padding: 20px 32px 16px; }
        main { padding: 8px 32px 32px; max-width: 1400px; }
        h1 { margin: 0 0 4px; font-size: 24px; }
        h2 { font-size: 17px; margin: 24px 0 8px; }
        .muted { color: var(--muted); font-weight: normal; }
        .headline { margin: 0 0 14px; color: var(--muted); }
        .cards { display: flex; flex-wrap: wrap; gap: 12px; }
        .card { background: #f9fafb; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 150px; }
        .card-title { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
        .card-value { font-size: 18px; font-weight: 600; white-space: nowrap; }
        .card-detail { font-size: 12px; font-weight: 600; }
        .good { color: var(--good); } .warn { color: var(--warn); } .bad { color: var(--bad); }
        .charts { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 16px; margin-top: 16px; }
        figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
        svg.chart { display: block; font-size: 12px; }
        svg .chart-title { font-weight: 600; font-size: 13px; fill: var(--fg); }
        svg .label, svg .legend-text { fill: var(--fg); }
        svg .value { fill: var(--muted); font-size: 11px; }
        svg .axis { stroke: #cbd2d9; stroke-width: 1; }
        svg .before { fill: var(--before); } svg .after { fill: var(--after); } svg .error { fill: var(--error); }
        table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); width: 100%; }
        th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
        th { background: #f0f4f8; font-size: 12px; color: var(--muted); font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.note { color: var(--muted); font-size: 12px; max-width: 520px; }
        .yes { color: var(--good); font-weight: 600; } .no { color: var(--muted); }
        table.ops { width: auto; }
        code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        dl.provenance { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; background: #fff; border: 1px solid var(--line); padding: 12px; border-radius: 8px; }
        dt { color: var(--muted); } dd { margin: 0; word-break: break-all; }

        """;
}
