using System;
using System.Collections.Generic;
using System.Linq;
using Optimizer.Runtime;

namespace Optimizer.Passes.Schema;

/// <summary>
/// Every pass and check a plan can name, declared once: the Optimizer.Runtime attributes are the
/// schema of the passes users declare (read by <see cref="SchemaReader"/>); the always-on clean-up
/// and fusion, which have no attribute and no options, are declared here. The build task, the
/// engine, the CLI and the README table read this list.
/// </summary>
public static class PassSchema
{
    public static readonly PassDescriptor Cleanup = AlwaysOn("Cleanup", PipelineStage.Cleanup, "Folds constants, removes dead code and no-ops.");
    public static readonly PassDescriptor Fuse = AlwaysOn("Fuse", PipelineStage.Fusion, "Folds BatchNorm and constant Mul/Add/Sub/Div into Conv, MatMul+Add into Gemm.");
    public static readonly PassDescriptor Prune = SchemaReader.Read(typeof(PruneAttribute));
    public static readonly PassDescriptor FineTune = SchemaReader.Read(typeof(FineTuneAttribute));
    public static readonly PassDescriptor Distill = SchemaReader.Read(typeof(DistillAttribute));
    public static readonly PassDescriptor Quantize = SchemaReader.Read(typeof(QuantizeAttribute));
    public static readonly PassDescriptor AccuracyBudget = SchemaReader.Read(typeof(AccuracyBudgetAttribute));
    public static readonly PassDescriptor SymbolicDims = SchemaReader.Read(typeof(SymbolicDimsAttribute));

    /// <summary>Every pass and check, in pipeline order.</summary>
    public static readonly IReadOnlyList<PassDescriptor> All = new[] { Cleanup, Fuse, Prune, FineTune, Distill, Quantize, AccuracyBudget, SymbolicDims };

    /// <summary>The passes and checks a declaration may request (all but the always-on ones).</summary>
    public static IEnumerable<PassDescriptor> Declarable => All.Where(p => !p.IsAlwaysOn);

    /// <summary>The pass named <paramref name="name"/> (any case), or null.</summary>
    public static PassDescriptor? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>One line naming what a plan can ask for, for messages: <c>Quantize (Mode=DynamicInt8|...), Prune (...), ...</c>.</summary>
    public static string AvailableText =>
        string.Join(", ", Declarable.Select(p => p.ItemKey is { Kind: OptionKind.Enum } key
            ? $"{p.Name} ({key.Name}={string.Join("|", key.Members)})"
            : p.Name)) + ", Cleanup and Fuse (always run first)";

    private static PassDescriptor AlwaysOn(string name, PipelineStage stage, string summary) =>
        new(name, (int)stage, summary, Array.Empty<OptionDescriptor>()) { IsAlwaysOn = true };
}
