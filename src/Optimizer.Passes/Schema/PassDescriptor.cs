using System;
using System.Collections.Generic;
using System.Linq;
using Optimizer.Runtime;

namespace Optimizer.Passes.Schema;

/// <summary>
/// One pass (or check) of the schema: its name, where it runs, its options. Read from its
/// Optimizer.Runtime attribute by <see cref="SchemaReader"/>; the always-on passes, which have no
/// attribute, are declared in <see cref="PassSchema"/>.
/// </summary>
/// <param name="Name">The attribute's name without <c>Attribute</c>; also the plan's and the CLI's pass name.</param>
/// <param name="Order">The stage's order: the pipeline runs passes by ascending order.</param>
/// <param name="Summary">One line for help text and docs.</param>
/// <param name="Options">The options, in the attribute's declaration order (positional first).</param>
public sealed record PassDescriptor(string Name, int Order, string Summary, IReadOnlyList<OptionDescriptor> Options)
{
    internal PipelineStage Stage => (PipelineStage)Order;

    /// <summary>The stage's name (Cleanup, Fusion, Pruning, Training, Quantization, Check).</summary>
    public string StageName => Stage.ToString();

    /// <summary>A check on the optimized model (AccuracyBudget), not a pass over the graph.</summary>
    public bool IsCheck => Stage == PipelineStage.Check;

    /// <summary>Runs whether requested or not (clean-up, fusion).</summary>
    public bool IsAlwaysOn { get; internal set; }

    /// <summary>The option whose item metadata requests the pass from an <c>&lt;OnnxModel&gt;</c> item; null: items cannot.</summary>
    public OptionDescriptor? ItemKey { get; internal set; }

    /// <summary><see cref="ItemKey"/> and the other options whose item metadata alone also requests the pass (AccuracyBudget's MinCosine).</summary>
    public IReadOnlyList<OptionDescriptor> ItemKeys { get; internal set; } = [];

    /// <summary>The package that brings the implementation when the engine does not (Optimizer.Training).</summary>
    public string? Package { get; internal set; }

    /// <summary>The attribute type the schema was read from (Optimizer.Runtime's, or the linked copy); null for always-on passes.</summary>
    public Type? AttributeType { get; internal set; }

    /// <summary>The option whose enum values other options are limited to (Quantize's Mode), or null.</summary>
    public OptionDescriptor? ModeOption =>
        Options.FirstOrDefault(o => Options.Any(other => other.AppliesToOption == o.Name));

    /// <summary>
    /// Why <paramref name="options"/> (a request's option names and texts) cannot go together: the first
    /// option the declared mode (or the default one) does not take, e.g. "PerChannel does not apply to
    /// Mode=StaticInt8; it applies to Mode=DynamicInt8. ..."; null when every option applies.
    /// </summary>
    public string? ModeRefusal(IReadOnlyDictionary<string, string> options)
    {
        if (ModeOption is not { } modeOption)
            return null;
        var mode = options.FirstOrDefault(o => string.Equals(o.Key, modeOption.Name, StringComparison.OrdinalIgnoreCase)).Value ?? modeOption.DefaultText;
        var misplaced = options.Keys.Select(Find).FirstOrDefault(o => o is not null && !o.AppliesWith(mode));
        return misplaced is null ? null
            : $"{misplaced.Name} does not apply to {modeOption.Name}={mode}; it applies to {modeOption.Name}={string.Join("|", misplaced.AppliesTo)}. Remove {misplaced.Name} or change {modeOption.Name}.";
    }

    public OptionDescriptor? Find(string option) =>
        Options.FirstOrDefault(o => string.Equals(o.Name, option, StringComparison.OrdinalIgnoreCase));
}
