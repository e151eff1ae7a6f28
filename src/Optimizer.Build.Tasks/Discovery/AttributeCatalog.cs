using System;
using System.Collections.Generic;
using System.Linq;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>One pass attribute of Optimizer.Runtime and the options it takes.</summary>
internal sealed class PassAttributeSpec
{
    public PassAttributeSpec(string name, IReadOnlyList<OptionSpec> positional, IReadOnlyList<OptionSpec> named)
    {
        Name = name;
        Positional = positional;
        Named = named;
    }

    /// <summary>The attribute's name without "Attribute"; also the plan's pass name.</summary>
    public string Name { get; }

    /// <summary>Constructor parameters in order; each is stored under its option name.</summary>
    public IReadOnlyList<OptionSpec> Positional { get; }

    /// <summary>Settable properties (and the item metadata of the same names).</summary>
    public IReadOnlyList<OptionSpec> Named { get; }

    public OptionSpec? FindNamed(string name) => Named.FirstOrDefault(o => o.Name == name);
}

/// <summary>
/// The attributes the task understands, mirroring Optimizer.Runtime's public surface. The task
/// cannot reference Optimizer.Runtime (it targets net10.0; the task netstandard2.0), so the names
/// and enum members are repeated here; Optimizer.Build.Tasks.Tests checks them against the runtime.
/// </summary>
internal static class AttributeCatalog
{
    public const string Namespace = "Optimizer.Runtime";
    public const string OnnxModel = "OnnxModel";

    private static readonly OptionSpec QuantizationMode =
        OptionSpec.Enum("Mode", "QuantizationMode", "DynamicInt8", "StaticInt8", "Float16", "Int4");

    public static readonly PassAttributeSpec Quantize = new(
        "Quantize",
        new[] { QuantizationMode },
        new[]
        {
            QuantizationMode,
            OptionSpec.DataFile("Calibration"),
            OptionSpec.Enum("CalibrationMethod", "CalibrationMethod", "Entropy", "Percentile", "MinMax"),
            OptionSpec.Number("Percentile", new NumberRange(50, false, 100, true)),
            OptionSpec.Enum("ActivationType", "QuantizedActivationType", "UInt8", "Int8"),
            OptionSpec.Boolean("ReduceRange"),
            OptionSpec.Boolean("PerChannel"),
            OptionSpec.Enum("WeightGranularity", "WeightGranularity", "Auto", "PerChannel", "PerTensor"),
            OptionSpec.Enum("Format", "QuantizationFormat", "Qdq", "QOperator"),
            OptionSpec.Text("KeepFp32"),
            OptionSpec.Text("KeepFloat"),
            OptionSpec.Number("BlockSize", new NumberRange(16, true, 4096, true)),
            OptionSpec.Boolean("Symmetric"),
            OptionSpec.Boolean("RequireSpeedup"),
        });

    public static readonly PassAttributeSpec Prune = new(
        "Prune",
        new OptionSpec[0],
        new[]
        {
            OptionSpec.Number("Sparsity", new NumberRange(0, false, 1, false)),
            OptionSpec.Enum("Structure", "PruneStructure", "Unstructured", "Channel", "NM2x4"),
            OptionSpec.Enum("Scope", "PruneScope", "Global", "Layer"),
            OptionSpec.Enum("Norm", "PruneNorm", "L1", "L2"),
            OptionSpec.Enum("Ranking", "PruneRanking", "Lamp", "Magnitude"),
            OptionSpec.Text("Exclude"),
            OptionSpec.DataFile("Calibration"),
            OptionSpec.Boolean("BiasCorrection"),
        });

    public static readonly PassAttributeSpec AccuracyBudget = new(
        "AccuracyBudget",
        new OptionSpec[0],
        new[]
        {
            OptionSpec.Number("MaxDrop", new NumberRange(0, true, 1, false)),
            OptionSpec.DataFile("Validation"),
            OptionSpec.DataFile("Labels"),
        });

    // Training passes (the Optimizer.Training package): they run after pruning, before quantization.
    public static readonly PassAttributeSpec FineTune = new(
        "FineTune",
        new OptionSpec[0],
        new[]
        {
            OptionSpec.DataFile("Data"),
            OptionSpec.DataFile("Labels"),
            OptionSpec.Number("Epochs", new NumberRange(1, true, 10000, true)),
            OptionSpec.Number("LearningRate", new NumberRange(0, false, 10, true)),
            OptionSpec.Enum("Optimizer", "TrainingOptimizer", "Adam", "Sgd"),
            OptionSpec.Number("BatchSize", new NumberRange(1, true, 1048576, true)),
            OptionSpec.Number("Seed", NumberRange.Any),
            OptionSpec.Number("WarmupEpochs", new NumberRange(0, true, 10000, true)),
            OptionSpec.Number("Momentum", new NumberRange(0, true, 1, false)),
            OptionSpec.Number("WeightDecay", new NumberRange(0, true, 1, true)),
            OptionSpec.DataFile("Validation"),
            OptionSpec.DataFile("ValidationLabels"),
        });

    public static readonly PassAttributeSpec Distill = new(
        "Distill",
        new OptionSpec[0],
        new[]
        {
            OptionSpec.Number("Temperature", new NumberRange(0, false, 100, true)),
            OptionSpec.Number("Alpha", new NumberRange(0, true, 1, true)),
            OptionSpec.DataFile("Teacher"),
        });

    public static readonly IReadOnlyList<PassAttributeSpec> Passes = new[] { Prune, FineTune, Distill, Quantize, AccuracyBudget };

    public static PassAttributeSpec? FindPass(string name) => Passes.FirstOrDefault(p => p.Name == name);

    /// <summary>
    /// Item metadata → the pass it configures and the option it sets. <c>Quantize="DynamicInt8"</c>
    /// names the pass itself (its Mode); the others are the attributes' property names.
    /// </summary>
    public static readonly IReadOnlyList<(string Metadata, PassAttributeSpec Pass, OptionSpec Option)> ItemMetadata =
        new List<(string, PassAttributeSpec, OptionSpec)>
        {
            ("Quantize", Quantize, QuantizationMode),
            ("Calibration", Quantize, Quantize.FindNamed("Calibration")!),
            ("CalibrationMethod", Quantize, Quantize.FindNamed("CalibrationMethod")!),
            ("Percentile", Quantize, Quantize.FindNamed("Percentile")!),
            ("ActivationType", Quantize, Quantize.FindNamed("ActivationType")!),
            ("ReduceRange", Quantize, Quantize.FindNamed("ReduceRange")!),
            ("PerChannel", Quantize, Quantize.FindNamed("PerChannel")!),
            ("WeightGranularity", Quantize, Quantize.FindNamed("WeightGranularity")!),
            ("QuantizationFormat", Quantize, Quantize.FindNamed("Format")!),
            ("KeepFp32", Quantize, Quantize.FindNamed("KeepFp32")!),
            ("KeepFloat", Quantize, Quantize.FindNamed("KeepFloat")!),
            ("BlockSize", Quantize, Quantize.FindNamed("BlockSize")!),
            ("Symmetric", Quantize, Quantize.FindNamed("Symmetric")!),
            ("RequireSpeedup", Quantize, Quantize.FindNamed("RequireSpeedup")!),
            ("Sparsity", Prune, Prune.FindNamed("Sparsity")!),
            ("Structure", Prune, Prune.FindNamed("Structure")!),
            ("Scope", Prune, Prune.FindNamed("Scope")!),
            ("Norm", Prune, Prune.FindNamed("Norm")!),
            ("Ranking", Prune, Prune.FindNamed("Ranking")!),
            ("Exclude", Prune, Prune.FindNamed("Exclude")!),
            // An item's Calibration belongs to Quantize; Prune borrows it from there.
            ("BiasCorrection", Prune, Prune.FindNamed("BiasCorrection")!),
            ("MaxDrop", AccuracyBudget, AccuracyBudget.FindNamed("MaxDrop")!),
            ("Validation", AccuracyBudget, AccuracyBudget.FindNamed("Validation")!),
            ("Labels", AccuracyBudget, AccuracyBudget.FindNamed("Labels")!),
            // Training: prefixed, since Labels and Validation already belong to AccuracyBudget.
            ("FineTuneData", FineTune, FineTune.FindNamed("Data")!),
            ("FineTuneLabels", FineTune, FineTune.FindNamed("Labels")!),
            ("FineTuneEpochs", FineTune, FineTune.FindNamed("Epochs")!),
            ("FineTuneLearningRate", FineTune, FineTune.FindNamed("LearningRate")!),
            ("FineTuneOptimizer", FineTune, FineTune.FindNamed("Optimizer")!),
            ("FineTuneBatchSize", FineTune, FineTune.FindNamed("BatchSize")!),
            ("FineTuneSeed", FineTune, FineTune.FindNamed("Seed")!),
            ("FineTuneWarmupEpochs", FineTune, FineTune.FindNamed("WarmupEpochs")!),
            ("FineTuneMomentum", FineTune, FineTune.FindNamed("Momentum")!),
            ("FineTuneWeightDecay", FineTune, FineTune.FindNamed("WeightDecay")!),
            ("FineTuneValidation", FineTune, FineTune.FindNamed("Validation")!),
            ("FineTuneValidationLabels", FineTune, FineTune.FindNamed("ValidationLabels")!),
            ("DistillTemperature", Distill, Distill.FindNamed("Temperature")!),
            ("DistillAlpha", Distill, Distill.FindNamed("Alpha")!),
            ("DistillTeacher", Distill, Distill.FindNamed("Teacher")!),
        };

    /// <summary>The metadata that must be present for a pass to be requested from an item.</summary>
    public static string? KeyMetadataFor(PassAttributeSpec pass) =>
        pass == Quantize ? "Quantize" : pass == Prune ? "Sparsity" : pass == AccuracyBudget ? "MaxDrop"
        : pass == FineTune ? "FineTuneData" : pass == Distill ? "DistillTemperature" : null;

    /// <summary>
    /// The attribute an attribute name refers to ("Quantize", "QuantizeAttribute",
    /// "Optimizer.Runtime.Quantize", "global::Optimizer.Runtime.QuantizeAttribute"), or null when
    /// it is not one of ours (another namespace, a generic attribute, an unknown name).
    /// </summary>
    public static string? Recognize(string attributeName)
    {
        var name = new string(attributeName.Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (name.StartsWith("global::", StringComparison.Ordinal))
            name = name.Substring("global::".Length);
        if (name.IndexOf('.') >= 0)
        {
            if (!name.StartsWith(Namespace + ".", StringComparison.Ordinal))
                return null;
            name = name.Substring(Namespace.Length + 1);
        }

        if (name.EndsWith("Attribute", StringComparison.Ordinal))
            name = name.Substring(0, name.Length - "Attribute".Length);
        return name == OnnxModel || FindPass(name) is not null ? name : null;
    }
}
