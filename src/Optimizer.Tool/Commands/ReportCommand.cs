using System.CommandLine;
using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.Commands;
using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Output;
using Optimizer.Engine.Reports;
using Optimizer.Onnx;
using Optimizer.Onnx.Files;
using Optimizer.Passes;
using Optimizer.Tool.Output;
using Spectre.Console;

namespace Optimizer.Tool.Commands;

/// <summary>
/// <c>report &lt;original&gt; &lt;optimized&gt; [-d folder] [--bench]</c>: the build's report
/// (<c>&lt;name&gt;.report.html</c> with charts and <c>.md</c>) for any pair of models — e.g. a model
/// optimized by another tool — with the accuracy comparison and, with <c>--bench</c>, latency.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(ToolContext context)
    {
        var original = new Argument<string>("original") { Description = "The source model." };
        var optimized = new Argument<string>("optimized") { Description = "The optimized model." };
        var outputDirectory = new Option<string?>("--output-dir", "-d") { Description = "Where to write <name>.report.html and .md (default: the optimized model's folder)." };
        var name = new Option<string?>("--name") { Description = "Report name (default: the optimized model's file name without extension)." };
        var data = new ComparisonOptions();
        var bench = new Option<bool>("--bench") { Description = "Also time both models (as bench, batch 1, one thread) and chart the latency." };
        var force = new Option<bool>("--force") { Description = "Overwrite a report of the same name (e.g. the one optimize wrote beside the model)." };
        var command = new Command("report", "Write the HTML (self-contained, with charts) and Markdown report comparing two models.")
        {
            original, optimized, outputDirectory, name, bench, force,
        };
        foreach (var option in data.All)
            command.Options.Add(option);
        command.SetAction(parse => ToolCli.Guard(context, parse, () =>
        {
            var (inputs, labels, dims) = data.Read(parse);
            var a = parse.GetRequiredValue(original);
            var o = parse.GetRequiredValue(optimized);
            var reportName = parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(o);
            if (reportName.Length == 0 || reportName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
                throw new EngineException(EngineErrorCodes.Usage, $"--name '{reportName}' cannot name a file.");
            var folder = Path.GetFullPath(parse.GetValue(outputDirectory) ?? Path.GetDirectoryName(Path.GetFullPath(o))!);

            RefuseToOverwrite(folder, reportName, parse.GetValue(force));
            var report = context.Status(parse, "Comparing the models…", () => Build(a, o, reportName, inputs, labels, dims));
            if (parse.GetValue(bench))
            {
                var settings = BenchCommand.Settings(1, 1, 20, BenchmarkSettings.DefaultDuration.TotalSeconds, 20);
                var stats = BenchCommand.Measure(context, parse, [a, o], settings);
                report = report with
                {
                    Latency = new LatencyFigures(stats[0].P50Ms, stats[1].P50Ms, settings.Describe(), "original", "optimized",
                        stats[0].P90Ms, stats[1].P90Ms, stats[0].P99Ms, stats[1].P99Ms),
                };
            }

            var files = report.ToFiles();
            AtomicOutputWriter.WriteAll(folder, files);
            var paths = files.Select(f => Path.Combine(folder, f.FileName)).ToList();
            if (context.Json(parse))
                context.WriteJson(new { reports = paths, headline = HeadlineOf(report) });
            else
                foreach (var path in paths)
                    context.Console.WriteLine("wrote " + path);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// optimize writes <c>&lt;name&gt;.report.html</c> beside the optimized model, which is also this
    /// command's default: replacing it silently would lose the build's figures, so ask for --force.
    /// </summary>
    private static void RefuseToOverwrite(string folder, string reportName, bool force)
    {
        var existing = new[] { OutputNames.HtmlReport, OutputNames.MarkdownReport }
            .Select(kind => Path.Combine(folder, kind.FileName(reportName)))
            .FirstOrDefault(File.Exists);
        if (existing is not null && !force)
            throw new EngineException(EngineErrorCodes.Usage,
                $"{existing} exists (optimize writes its report there); pass --force to overwrite it, or --name/--output-dir to write elsewhere.");
    }

    private static string HeadlineOf(ModelReport report) => MarkdownReportWriter.Write(report).Split('\n')[2].Trim('*');

    /// <summary>The model's bytes for the report's sizes and hashes, read as the untrusted file it is (the loader has checked it already).</summary>
    private static byte[] ReadModel(string path)
    {
        try
        {
            return UntrustedFile.ReadAllBytes(path, ModelLoadLimits.Default.MaxModelBytes);
        }
        catch (UntrustedFileException e)
        {
            throw new OnnxFormatException(OnnxErrorCodes.FileNotReadable, $"The model file '{e.FilePath}' cannot be read: {e.Reason}. Check that it is a regular file.", e.FilePath, e);
        }
    }

    private static ModelReport Build(string originalPath, string optimizedPath, string name, string? data, string? labels, SymbolicDimSizes dims)
    {
        var original = OnnxModelLoader.Load(originalPath);
        var optimized = OnnxModelLoader.Load(optimizedPath);
        var fidelity = ModelComparison.Compare(original, originalPath, optimized, optimizedPath, data, labels, dims);
        var report = ModelReportBuilder.From(name, originalPath.Replace('\\', '/'), [], original, ReadModel(originalPath),
            new PipelineResult(optimized, []), ReadModel(optimizedPath));
        return report with
        {
            Fidelity = fidelity.ToReport(null),
        };
    }
}
