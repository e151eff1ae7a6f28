// Shared with the MSBuild task (linked into the netstandard2.0 Optimizer.Build.Tasks): the engine
// names what it writes with this table and the task returns what it finds by the same table, so an
// output's file name, kind and resource name are declared once. Keep it netstandard2.0-compatible.

using System;
using System.Collections.Generic;
using System.Linq;

namespace Optimizer.Engine.Output;

/// <summary>What an output file is to the build: the <c>Kind</c> metadata of <c>@(OptimizerOutput)</c>.</summary>
internal enum OutputKind
{
    /// <summary><c>&lt;Name&gt;.onnx</c>, embedded.</summary>
    OptimizedModel,

    /// <summary>A compiled kernel program (<c>&lt;Name&gt;.kernels</c>, a variant's <c>&lt;Name&gt;.&lt;variant&gt;.kernels</c>), embedded.</summary>
    KernelProgram,

    /// <summary><c>&lt;Name&gt;.model.json</c>, the source generator's AdditionalFile.</summary>
    Manifest,

    /// <summary>
    /// The optimized model's ONNX external data (<c>&lt;Name&gt;.onnx.data</c>, which the <c>.onnx</c>'s tensors
    /// name as their location): never embedded, since ONNX Runtime resolves it only beside the model's file.
    /// The engine writes it among the files it hands <c>PlanOutputs.Replace</c>, which deletes one a new build does not write.
    /// </summary>
    ModelData,

    /// <summary>The build report (<c>.report.html</c>, <c>.report.md</c>), for people.</summary>
    Report,
}

/// <summary>One file the engine may write for a plan.</summary>
/// <param name="Kind">What it is to the build.</param>
/// <param name="Suffix">What follows the plan's name in the file name, e.g. <c>.model.json</c>.</param>
/// <param name="Embedded">Whether the build embeds it (under <see cref="ResourceName"/>).</param>
/// <param name="Required">
/// Whether every successful run writes it: the task fails a run that leaves it out and rejects a
/// cache without it. Kernel programs exist only for models the compiler covers; reports are not
/// needed to build.
/// </param>
internal sealed record PlanOutput(OutputKind Kind, string Suffix, bool Embedded, bool Required)
{
    public string FileName(string planName) => planName + Suffix;

    /// <summary>
    /// The resource name it is embedded under: the optimized model's resource name with this suffix
    /// for <c>.onnx</c> (what the generated code and the runtime look up); null when not embedded.
    /// </summary>
    public string? ResourceName(string modelResourceName)
    {
        if (!Embedded)
            return null;
        var stem = modelResourceName.EndsWith(OutputNames.ModelExtension, StringComparison.OrdinalIgnoreCase)
            ? modelResourceName.Substring(0, modelResourceName.Length - OutputNames.ModelExtension.Length)
            : modelResourceName;
        return stem + Suffix;
    }
}

/// <summary>Every file the engine writes for a plan named <c>&lt;Name&gt;</c>, in its output folder.</summary>
internal static class OutputNames
{
    public const string ModelExtension = ".onnx";

    /// <summary>The optimized model's resource names start with this (the plan's <c>resourceName</c>).</summary>
    public const string ResourcePrefix = "Optimizer.Build.";

    /// <summary>The variant compiled from the plan without quantization.</summary>
    public const string Fp32Variant = "fp32";

    public static readonly PlanOutput OptimizedModel = new(OutputKind.OptimizedModel, ModelExtension, Embedded: true, Required: true);
    public static readonly PlanOutput KernelProgram = new(OutputKind.KernelProgram, ".kernels", Embedded: true, Required: false);
    public static readonly PlanOutput Fp32KernelProgram = new(OutputKind.KernelProgram, "." + Fp32Variant + ".kernels", Embedded: true, Required: false);
    public static readonly PlanOutput ModelData = new(OutputKind.ModelData, ModelExtension + ".data", Embedded: false, Required: false);
    public static readonly PlanOutput Manifest = new(OutputKind.Manifest, ".model.json", Embedded: false, Required: true);
    public static readonly PlanOutput HtmlReport = new(OutputKind.Report, ".report.html", Embedded: false, Required: false);
    public static readonly PlanOutput MarkdownReport = new(OutputKind.Report, ".report.md", Embedded: false, Required: false);

    /// <summary>All of them, in the order the task returns them.</summary>
    public static readonly IReadOnlyList<PlanOutput> All =
        new[] { OptimizedModel, ModelData, KernelProgram, Fp32KernelProgram, Manifest, HtmlReport, MarkdownReport };

    /// <summary>
    /// What the app loads at run time: embedded in its assembly, or (weights stored as files) copied
    /// beside it; the model's external data always goes beside it.
    /// </summary>
    public static IEnumerable<PlanOutput> AppFiles => All.Where(output => output.Embedded || output.Kind == OutputKind.ModelData);

    /// <summary>The outputs a plan may have or not (kernel programs, external data); those a new build does not write are stale.</summary>
    public static IEnumerable<PlanOutput> Optional => All.Where(output => output.Kind is OutputKind.KernelProgram or OutputKind.ModelData);

    /// <summary>The resource name the task gives a plan's optimized model.</summary>
    public static string ModelResourceName(string planName) => ResourcePrefix + planName + ModelExtension;
}
