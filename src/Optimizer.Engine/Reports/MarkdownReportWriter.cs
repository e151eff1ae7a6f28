using System.Text;

namespace Optimizer.Engine.Reports;

/// <summary>
/// Renders a <see cref="ModelReport"/> as GitHub-flavoured Markdown. Deterministic: the same
/// report gives the same bytes (UTF-8 without BOM, <c>\n</c> line ends, invariant culture).
/// </summary>
public static class MarkdownReportWriter
{
    public static byte[] ToBytes(ModelReport report) => new UTF8Encoding(false).GetBytes(Write(report));

    public static string Write(ModelReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line($"# {Escape(report.ModelName)} — optimization report");
        Line();
        Line($"**{Escape(ReportFormat.Headline(report))}**");
        Line();
        Line("| | before | after | change |");
        Line("|---|---:|---:|---:|");
        Line($"| size | {ReportFormat.Size(report.SizeBefore)} | {ReportFormat.Size(report.SizeAfter)} | {ReportFormat.SignedPercent(report.SizeChange)} |");
        Line($"| parameters | {ReportFormat.Count(report.Before.Parameters)} | {ReportFormat.Count(report.After.Parameters)} | {Change(report.Before.Parameters, report.After.Parameters)} |");
        Line($"| FLOPs (one sample) | {ReportFormat.Count(report.Before.Flops)} | {ReportFormat.Count(report.After.Flops)} | {Change(report.Before.Flops, report.After.Flops)} |");
        Line($"| weight sparsity | {ReportFormat.Percent(report.Before.WeightSparsity)} | {ReportFormat.Percent(report.After.WeightSparsity)} | |");
        Line($"| nodes | {report.Before.Nodes} | {report.After.Nodes} | |");
        if (report.Latency is { } latency)
        {
            Line($"| latency p50 ({Escape(latency.BeforeLabel)} → {Escape(latency.AfterLabel)}) | {ReportFormat.Milliseconds(latency.BeforeMs)} | {ReportFormat.Milliseconds(latency.AfterMs)} | {ReportFormat.Ratio(latency)} |");
            if (latency.BeforeP90Ms is { } b90 && latency.AfterP90Ms is { } a90)
                Line($"| latency p90 | {ReportFormat.Milliseconds(b90)} | {ReportFormat.Milliseconds(a90)} | |");
            if (latency.BeforeP99Ms is { } b99 && latency.AfterP99Ms is { } a99)
                Line($"| latency p99 | {ReportFormat.Milliseconds(b99)} | {ReportFormat.Milliseconds(a99)} | |");
        }

        if (report.Fidelity is { Top1Before: var b, Top1After: var a } && (b is not null || a is not null))
            Line($"| top-1 accuracy | {ReportFormat.Percent(b, "0.00")} | {ReportFormat.Percent(a, "0.00")} | {(a is { } x && b is { } y ? ReportFormat.SignedPercent(x - y) : "")} |");
        if (report.Elapsed is { } elapsed)
            Line($"| time spent | | {ReportFormat.Seconds(elapsed)} | |");
        if (report.Latency?.Decision is { } decision)
        {
            Line();
            Line($"**Speed-up gate: {Escape(decision)}.**");
        }

        if (report.Latency?.Note is { } latencyNote)
        {
            Line();
            Line($"Latency: {Escape(latencyNote)}.");
        }

        if (report.AutoPath is { } auto)
        {
            Line();
            Line($"Execution path (Auto): {Escape(auto)}.");
        }

        Line();
        Line("## Plan");
        Line();
        if (report.Plan.Count == 0)
            Line("No passes requested (clean-up and fusion only).");
        foreach (var (entry, i) in report.Plan.Select((e, i) => (e, i)))
            Line($"{i + 1}. **{Escape(entry.Pass)}** — {Escape(ReportFormat.Options(entry.Options))}");
        Line();
        Line("## Passes");
        Line();
        Line("| pass | summary | changed | skipped |");
        Line("|---|---|---:|---:|");
        foreach (var pass in report.Passes)
            Line($"| {Escape(pass.Pass)} | {Escape(pass.Summary)} | {pass.Changed} | {pass.Skipped} |");

        if (report.TrainingEpochs.Count > 0)
        {
            Line();
            Line("## Training");
            Line();
            foreach (var epoch in report.TrainingEpochs)
                Line($"- {Escape(epoch)}");
        }

        if (report.Fidelity is { } fidelity)
        {
            Line();
            Line("## Fidelity");
            Line();
            if (fidelity.DataSource is { } data)
                Line($"Compared on {Escape(data)}.");
            if (fidelity.Agreement is { } agreement)
                Line($"Agreement with the original (same arg-max): {ReportFormat.Percent(agreement, "0.00")}.");
            if (fidelity.IsEstimate)
                Line("These figures come from generated inputs: an estimate. Declare Validation data for real figures.");
            if (fidelity.MaxDrop is { } budget)
                Line($"Accuracy budget: drop of at most {ReportFormat.Percent(budget, "0.##")}.");
            if (fidelity.MinCosine is { } minCosine)
                Line($"Fidelity budget: cosine of at least {ReportFormat.Number(minCosine)} per sample.");
            if (fidelity.RevertedLayers is { Count: > 0 } reverted)
                Line($"Reverted to fp32 to hold the budget: {Escape(string.Join(", ", reverted))}.");
            if (fidelity.Outputs.Count > 0)
            {
                Line();
                Line("| output | max abs error | cosine | SQNR (dB) | cosine min | cosine mean | pooled cosine min | pooled cosine mean |");
                Line("|---|---:|---:|---:|---:|---:|---:|---:|");
                foreach (var o in fidelity.Outputs)
                {
                    Line($"| {Escape(o.Output)} | {ReportFormat.Error(o.MaxAbsError)} | {ReportFormat.Number(o.Cosine, "0.000000")} | {ReportFormat.Number(o.SqnrDb, "0.0")} | " +
                        $"{ReportFormat.Number(o.CosineMin, "0.000000")} | {ReportFormat.Number(o.CosineMean, "0.000000")} | {ReportFormat.Number(o.PooledCosineMin, "0.000000")} | {ReportFormat.Number(o.PooledCosineMean, "0.000000")} |");
                }
            }
        }

        Line();
        Line("## Layers");
        Line();
        string errorHeader = report.HasLayerErrors ? $" {Escape(report.ErrorMetric)} |" : "";
        Line($"| layer | op | params before | params after | FLOPs | sparsity before | sparsity after | quantized |{errorHeader} notes |");
        Line("|---|---|---:|---:|---:|---:|---:|---|" + (report.HasLayerErrors ? "---:|" : "") + "---|");
        foreach (var l in report.Layers)
        {
            var op = l.OptimizedOp is { } o && o != l.Op ? $"{l.Op} → {o}" : l.Op;
            var quantized = l.Quantized ? $"yes ({l.WeightType})" : "no";
            Line($"| {Escape(l.Name)} | {Escape(op)} | {ReportFormat.Count(l.ParamsBefore)} | {ReportFormat.Count(l.ParamsAfter)} | {ReportFormat.Count(l.FlopsAfter ?? l.FlopsBefore)} | " +
                 $"{ReportFormat.Percent(l.SparsityBefore)} | {ReportFormat.Percent(l.SparsityAfter)} | {quantized} |{(report.HasLayerErrors ? $" {ReportFormat.Error(l.Error)} |" : "")} {Escape(l.Note)} |");
        }

        Line();
        Line("## Operators");
        Line();
        Line("| op | before | after |");
        Line("|---|---:|---:|");
        foreach (var op in report.Before.OpCounts.Select(p => p.Key).Union(report.After.OpCounts.Select(p => p.Key)).Order(StringComparer.Ordinal))
            Line($"| {Escape(op)} | {Lookup(report.Before, op)} | {Lookup(report.After, op)} |");

        Line();
        Line("## Provenance");
        Line();
        Line($"- model: `{report.ModelPath}`");
        Line($"- source SHA-256: `{report.SourceSha256}`");
        Line($"- optimized SHA-256: `{report.OptimizedSha256}`");
        Line($"- engine: Optimizer.Build {Escape(report.EngineVersion)}");
        if (report.GeneratedAt is { } at)
            Line($"- generated: {Escape(at)}");
        return md.ToString();
    }

    private static int Lookup(ModelTotals totals, string op) => totals.OpCounts.FirstOrDefault(p => p.Key == op).Value;

    private static string Change(long? before, long? after) =>
        before is { } b && after is { } a && b != 0 ? ReportFormat.SignedPercent((double)(a - b) / b) : "";

    /// <summary>Keeps table cells and emphasis intact: escapes pipes, backslashes and markup characters, folds new lines.</summary>
    internal static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '|' or '\\' or '*' or '_' or '`' or '<' or '>' or '[' or ']')
                sb.Append('\\');
            sb.Append(c is '\n' or '\r' ? ' ' : c);
        }

        return sb.ToString();
    }
}
